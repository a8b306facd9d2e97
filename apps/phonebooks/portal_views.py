"""Portal "my phonebook" (mounted at /portal/phonebook/): the caller's merged view with search and pagination,
add/edit/delete of private entries, the "show on phone" switch and the export. Always the logged-in user's data."""

from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.generic import TemplateView, View

from apps.phonebooks import exports, readmodel, services
from apps.phonebooks.forms import EntryForm
from apps.phonebooks.views import export_response

PER_PAGE = 25


class MyPhonebookView(LoginRequiredMixin, TemplateView):
    template_name = "phonebooks/my_phonebook.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()[:100]
        try:
            number = max(1, int(self.request.GET.get("page", "1")))
        except ValueError:
            number = 1
        if query:
            rows = readmodel.search(user, query)
            total = len(rows)
            rows = rows[(number - 1) * PER_PAGE : number * PER_PAGE]
        else:
            page = readmodel.merged_page(user, (number - 1) * PER_PAGE, number * PER_PAGE)
            rows, total = page.rows, page.size
        pages = max(1, -(-total // PER_PAGE))
        book = services.private_phonebook(user)
        context.update(
            rows=rows,
            query=query,
            total=total,
            page_number=number,
            num_pages=pages,
            previous_page=number - 1 if number > 1 else None,
            next_page=number + 1 if number < pages else None,
            show_on_phone=book.show_on_phone if book else True,
            click_to_call=django_apps.is_installed("apps.callcontrol"),
        )
        return context


class EntryCreateView(LoginRequiredMixin, View):
    template_name = "phonebooks/entry_form.html"

    def get(self, request):
        return self.render(EntryForm())

    def post(self, request):
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                services.create_private_entry(request.user, form.entry_data())
            except services.DuplicateEntry:
                form.add_error(None, "You already have an entry with this first name, last name and number.")
            else:
                messages.success(request, "The entry was added to your phonebook.")
                return redirect("portal-phonebook:phonebook")
        return self.render(form)

    def render(self, form, entry=None):
        title = f"Edit {entry}" if entry else "New phonebook entry"
        return render(self.request, self.template_name, {"form": form, "title": title, "object": entry})


class EntryUpdateView(EntryCreateView):
    def entry(self, request, pk):
        entry = services.own_entry(request.user, pk)
        if entry is None:
            raise Http404("No such entry in your private phonebook.")
        return entry

    def get(self, request, pk):
        entry = self.entry(request, pk)
        return self.render(EntryForm(instance=entry), entry)

    def post(self, request, pk):
        entry = self.entry(request, pk)
        form = EntryForm(request.POST, instance=entry)
        if form.is_valid():
            try:
                services.update_private_entry(request.user, entry, form.entry_data())
            except services.DuplicateEntry:
                form.add_error(None, "You already have an entry with this first name, last name and number.")
            else:
                messages.success(request, "The entry was saved.")
                return redirect("portal-phonebook:phonebook")
        return self.render(form, entry)


class EntryDeleteView(EntryUpdateView):
    template_name = "phonebooks/entry_confirm_delete.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"object": self.entry(request, pk)})

    def post(self, request, pk):
        entry = self.entry(request, pk)
        name = str(entry)
        services.delete_private_entry(request.user, entry)
        messages.success(request, f"{name} was deleted from your phonebook.")
        return redirect("portal-phonebook:phonebook")


class ShowOnPhoneView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        show = request.POST.get("show_on_phone") == "on"
        services.set_show_on_phone(request.user, show)
        messages.success(request, "Your phones show your private entries." if show else "Your phones hide them.")
        return redirect("portal-phonebook:phonebook")


class ExportView(LoginRequiredMixin, View):
    """ "Download my phonebook": the merged view as CSV (sipXconfig layout) or vCard, streamed."""

    def get(self, request):
        fmt = "vcard" if request.GET.get("format") == "vcard" else "csv"
        rows = readmodel.iter_merged(request.user)
        chunks = exports.vcard_export(rows) if fmt == "vcard" else exports.csv_export(rows)
        return export_response(chunks, f"phonebook-{request.user.username}", fmt)
