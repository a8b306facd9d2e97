"""Portal "my phonebook" (mounted at /portal/phonebook/): the caller's merged view sorted by name, with the search,
sorting and pages of every list, add/edit/delete of private entries, the "show on phone" switch, the import of a
file into the private entries (the shared phonebooks' importer and preview: every bad row by line and contact, then
one click, all or nothing; contacts the user has already are skipped, as adding one by hand refuses them) and the
exports (the private entries alone, or the whole merged view). Always the logged-in user's data."""

from django.apps import apps as django_apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View

from apps.phonebooks import exports, importers, readmodel, services
from apps.phonebooks.forms import EntryForm, ImportConfirmForm, PrivateImportForm
from apps.phonebooks.views import export_name, export_response, preview_context, read_upload
from sipxweb import uploads
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
            own_count=book.entries.count() if book else 0,
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
                form.add_error(None, _("You already have an entry with this first name, last name and number."))
            else:
                messages.success(request, _("The entry was added to your phonebook."))
                return redirect("portal-phonebook:phonebook")
        return self.render(form)

    def render(self, form, entry=None):
        title = _("Edit %(entry)s") % {"entry": entry} if entry else _("New phonebook entry")
        return render(self.request, self.template_name, {"form": form, "title": title, "object": entry})


class EntryUpdateView(EntryCreateView):
    def entry(self, request, pk):
        entry = services.own_entry(request.user, pk)
        if entry is None:
            raise Http404(_("No such entry in your private phonebook."))
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
                form.add_error(None, _("You already have an entry with this first name, last name and number."))
            else:
                messages.success(request, _("The entry was saved."))
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
        messages.success(request, _("%(entry)s was deleted from your phonebook.") % {"entry": name})
        return redirect("portal-phonebook:phonebook")


class ShowOnPhoneView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        show = request.POST.get("show_on_phone") == "on"
        services.set_show_on_phone(request.user, show)
        messages.success(request, _("Your phones show your private entries.") if show else _("Your phones hide them."))
        return redirect("portal-phonebook:phonebook")


class ExportView(LoginRequiredMixin, View):
    """ "Download": the merged view as CSV (sipXconfig layout; `excel=1` with the BOM for Excel) or vCard, streamed,
    in a file named after the user."""

    def rows(self, user):
        return readmodel.iter_merged(user)

    def file_name(self, user) -> str:
        return export_name(user.display_name, slugify(user.username) or "mine")

    def get(self, request):
        fmt = "vcard" if request.GET.get("format") == "vcard" else "csv"
        rows = self.rows(request.user)
        chunks = exports.vcard_export(rows) if fmt == "vcard" else exports.csv_export(rows)
        return export_response(chunks, self.file_name(request.user), fmt, excel=request.GET.get("excel") == "1")


class OwnExportView(ExportView):
    """The user's private entries alone, as the shared phonebooks' export writes a phonebook's entries (the same
    columns, the same order): a file that imports back into a private phonebook, this user's or another's."""

    def rows(self, user):
        return readmodel.own_entries(user)

    def file_name(self, user) -> str:
        return f"{super().file_name(user)}-private"


IMPORT = "private-phonebook"  # the uploads purpose of the portal's import (kept per user by sipxweb.uploads)


def import_preview(request, parsed: importers.ParsedFile, token: str, file_name: str, refused: bool = False):
    """The shared phonebooks' preview for the user's own entries: every bad row (then nothing can be imported), the
    contacts that will be skipped because the user has them already, the entries to import and the one button."""
    confirm = None
    if not parsed.rejected and parsed.kept:
        confirm = ImportConfirmForm(initial={"token": token, "file_name": file_name})
    book = services.private_phonebook(request.user)
    context = {
        **preview_context(parsed, file_name),
        "skipped": parsed.skipped,
        "own_count": book.entries.count() if book else 0,
        "confirm": confirm,
        "refused": refused,
        "upload_form": PrivateImportForm(),
        "entries_title": _("The entries to import"),
    }
    return render(request, "phonebooks/my_phonebook_import_preview.html", context)


class ImportView(LoginRequiredMixin, FormView):
    """Upload a CSV or vCard file: the preview reads it whole and writes nothing."""

    form_class = PrivateImportForm
    template_name = "phonebooks/my_phonebook_import.html"
    extra_context = {"max_rows": f"{importers.PRIVATE_MAX_ROWS:,}"}

    def form_valid(self, form):
        read = read_upload(form)
        if read is None:
            return self.form_invalid(form)
        content, parsed = read
        try:
            importers.check_private(parsed, self.request.user)
        except importers.PhonebookFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        token = uploads.keep(self.request.user, IMPORT, content)
        return import_preview(self.request, parsed, token, form.cleaned_data["file"].name[:255])


class ImportConfirmView(LoginRequiredMixin, View):
    """The preview's button: importers.import_file() adds every entry of the previewed file to the user's own
    private entries (but those the user has by then) or, when a row is bad, none."""

    http_method_names = ["post"]

    def post(self, request):
        form = ImportConfirmForm(request.POST)
        token = request.POST.get("token", "")
        content = uploads.read(request.user, IMPORT, token) if form.is_valid() else None
        if content is None:
            messages.error(request, _("The uploaded file is no longer available: upload it again."))
            return redirect("portal-phonebook:import")
        file_name = form.cleaned_data["file_name"]
        try:
            parsed, imported = importers.import_file(request.user, content)
        except importers.PhonebookFileError as exc:
            messages.error(request, str(exc))
            return redirect("portal-phonebook:import")
        if parsed.rejected:
            return import_preview(request, parsed, token, file_name, refused=True)
        uploads.discard(request.user, IMPORT, token)
        if file_name:
            text = ngettext(
                "%(n)s entry imported into your phonebook from %(file)s.",
                "%(n)s entries imported into your phonebook from %(file)s.",
                imported,
            ) % {"n": imported, "file": file_name}
        else:
            text = ngettext(
                "%(n)s entry imported into your phonebook.", "%(n)s entries imported into your phonebook.", imported
            ) % {"n": imported}
        if parsed.skipped:
            n = len(parsed.skipped)
            text += " " + ngettext(
                "%(n)s contact you have already was skipped.", "%(n)s contacts you have already were skipped.", n
            ) % {"n": n}
        messages.success(request, text)
        return redirect("portal-phonebook:phonebook")
