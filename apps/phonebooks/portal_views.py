"""Portal "my phonebook" (mounted at /portal/phonebook/): the caller's merged view sorted by name, with the search,
sorting and pages of every list, add/edit/delete of private entries, the "show on phone" switch and the export.
Always the logged-in user's data."""

from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.generic import TemplateView, View

from apps.phonebooks import exports, readmodel, services
from apps.phonebooks.forms import EntryForm
from apps.phonebooks.views import export_name, export_response
from sipxweb.pages import Sorting, page_size, paginate, search_text

PER_PAGE = 25


class MyPhonebookView(LoginRequiredMixin, TemplateView):
    template_name = "phonebooks/my_phonebook.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = search_text(self.request.GET.get("q", ""))[:100]
        sorting = Sorting(self.request, readmodel.SORTS, "name")
        rows = readmodel.Contacts(user, query, sorting.column, sorting.descending)
        book = services.private_phonebook(user)
        context.update(
            paginate(self.request, rows, page_size(self.request, PER_PAGE)),
            query=query,
            sort=sorting.headers,
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
        name = export_name(request.user.display_name, slugify(request.user.username) or "mine")
        return export_response(chunks, name, fmt, excel=request.GET.get("excel") == "1")
