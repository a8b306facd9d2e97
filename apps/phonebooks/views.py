"""Admin HTML pages for phonebooks (administrators only): list with entry counts, create/edit (members,
consumers), the entries of one phonebook with search, sorting and pages, each entry added, edited or deleted on its
own, the file import (a preview naming every bad row, then one click to import all or nothing), export (CSV, CSV
for Excel, vCard) and the PBX-wide phonebook settings."""

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, FormView, UpdateView, View

from apps.phonebooks import exports, importers, services
from apps.phonebooks.filtersets import PhonebookEntryFilterSet, PhonebookFilterSet
from apps.phonebooks.forms import (
    ImportConfirmForm,
    ImportForm,
    PhonebookForm,
    PhonebookSettingsForm,
    SharedEntryForm,
)
from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings
from apps.users.models import User
from sipxweb import csvcells, uploads
from sipxweb.pages import AdminRequiredMixin, DeletePage, FormPage, ListPage


def _count(queryset, column="pk"):
    return Coalesce(Subquery(queryset.annotate(n=Count(column)).values("n")[:1], output_field=IntegerField()), 0)


def phonebooks_with_counts():
    """Phonebooks with `entry_count` (file entries) and `member_count` (users of member groups), as subqueries
    so the list costs the same number of queries for any number of entries."""
    entries = PhonebookEntry.objects.filter(phonebook=OuterRef("pk")).order_by().values("phonebook")
    members = (
        User.objects.filter(groups__member_phonebooks=OuterRef("pk"))
        .order_by()
        .values("groups__member_phonebooks")
        .annotate(n=Count("pk", distinct=True))
        .values("n")[:1]
    )
    return Phonebook.objects.prefetch_related("members", "consumers").annotate(
        entry_count=_count(entries),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
    )


class PhonebookListView(AdminRequiredMixin, ListPage):
    filterset_class = PhonebookFilterSet
    template_name = "phonebooks/phonebook_list.html"
    sort_columns = {
        "name": (Lower("name"),),
        "description": (Lower("description"), Lower("name")),
        "users": ("member_count", Lower("name")),
        "entries": ("entry_count", Lower("name")),
    }

    def get_queryset(self):
        self.queryset = phonebooks_with_counts()
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["settings"] = PhonebookSettings.load()
        return context


class PhonebookFormMixin(AdminRequiredMixin, FormPage):
    model = Phonebook
    form_class = PhonebookForm
    list_url_name = "phonebooks:phonebook_list"

    def form_valid(self, form):
        try:
            self.object = services.save_phonebook(
                form.save(commit=False), form.cleaned_data["members"], form.cleaned_data["consumers"]
            )
        except services.PhonebookError as exc:
            form.add_error(exc.field, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Phonebook %(name)s saved.") % {"name": self.object})
        return redirect(self.get_success_url())


class PhonebookCreateView(PhonebookFormMixin, CreateView):
    extra_context = {"title": gettext_lazy("New phonebook")}


class PhonebookUpdateView(PhonebookFormMixin, UpdateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Phonebook %(name)s") % {"name": self.object}
        context["delete_url_name"] = "phonebooks:phonebook_delete"
        return context


class PhonebookDeleteView(AdminRequiredMixin, DeletePage):
    model = Phonebook
    list_url_name = "phonebooks:phonebook_list"

    def form_valid(self, form):
        name = str(self.object)
        services.delete_phonebook(self.object)
        messages.success(self.request, _("Phonebook %(name)s deleted.") % {"name": name})
        return redirect(self.get_success_url())


class PhonebookDetailView(AdminRequiredMixin, ListPage):
    """The file entries of one phonebook, searchable, sortable and paginated, with its members and consumers."""

    filterset_class = PhonebookEntryFilterSet
    template_name = "phonebooks/phonebook_detail.html"
    # Plain columns, as the (phonebook, last, first, number) index has them: a 100,000-entry page reads 25 rows.
    sort_columns = {
        "last_name": ("last_name", "first_name", "number"),
        "first_name": ("first_name", "last_name", "number"),
        "number": ("number",),
        "company": ("company_name", "last_name", "first_name"),
        "email": ("email_address",),
    }

    def get_queryset(self):
        self.phonebook = get_object_or_404(phonebooks_with_counts(), pk=self.kwargs["pk"])
        self.queryset = PhonebookEntry.objects.filter(phonebook=self.phonebook)
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phonebook"] = self.phonebook
        return context


class SharedEntryMixin(AdminRequiredMixin):
    """An entry of the phonebook in the URL (`pk`; `entry` the entry's id), through the services, which check it by
    the rules of an imported entry and record each change in the audit log."""

    def dispatch(self, request, *args, **kwargs):
        self.phonebook = get_object_or_404(Phonebook, pk=kwargs["pk"])
        self.entry = None
        if "entry" in kwargs:
            self.entry = get_object_or_404(PhonebookEntry, pk=kwargs["entry"], phonebook=self.phonebook)
        return super().dispatch(request, *args, **kwargs)

    def back(self):
        return redirect("phonebooks:phonebook_detail", self.phonebook.pk)


class SharedEntryFormView(SharedEntryMixin, View):
    """Add an entry to a shared phonebook (no `entry`) or edit one: the generic form page."""

    def get(self, request, **kwargs):
        return self.render(SharedEntryForm(instance=self.entry))

    def post(self, request, **kwargs):
        form = SharedEntryForm(request.POST, instance=self.entry)
        if form.is_valid():
            try:
                if self.entry is None:
                    entry = services.create_entries(self.phonebook, [form.entry_data()])[0]
                else:
                    entry = services.update_entry(self.phonebook, self.entry, form.entry_data())
            except services.PhonebookError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, f"{exc.messages[0]}.")
            else:
                messages.success(
                    request, _("%(entry)s saved in %(phonebook)s.") % {"entry": entry, "phonebook": self.phonebook}
                )
                return self.back()
        return self.render(form)

    def render(self, form):
        detail = reverse("phonebooks:phonebook_detail", args=[self.phonebook.pk])
        context = {
            "form": form,
            "object": self.entry,
            "list_url": detail,
            "title": (
                _("%(entry)s in %(phonebook)s") % {"entry": self.entry, "phonebook": self.phonebook}
                if self.entry
                else _("New entry in %(phonebook)s") % {"phonebook": self.phonebook}
            ),
        }
        if self.entry is not None:
            context["delete_url"] = reverse("phonebooks:entry_delete", args=[self.phonebook.pk, self.entry.pk])
        return render(self.request, "phonebooks/shared_entry_form.html", context)


class SharedEntryDeleteView(SharedEntryMixin, View):
    def get(self, request, **kwargs):
        context = {"object": self.entry, "list_url": reverse("phonebooks:phonebook_detail", args=[self.phonebook.pk])}
        return render(request, "generic/confirm_delete.html", context)

    def post(self, request, **kwargs):
        name = str(self.entry)
        services.delete_entry(self.phonebook, self.entry)
        messages.success(
            request, _("%(entry)s deleted from %(phonebook)s.") % {"entry": name, "phonebook": self.phonebook}
        )
        return self.back()


PREVIEW_ROWS = 100  # entries of a file the preview lists (every bad row is listed)


def preview_context(parsed, file_name: str) -> dict:
    """What the import previews (admin and portal) show of a file: every bad row as (line, contact, problem), how
    many entries the import adds and the first PREVIEW_ROWS of them."""
    kept = parsed.kept
    return {
        "file_name": file_name,
        "parsed": parsed,
        "count": len(kept),
        "entries": kept[:PREVIEW_ROWS],
        "more": max(0, len(kept) - PREVIEW_ROWS),
        "problems": [(line, parsed.names.get(line, ""), reason) for line, reason in parsed.rejected],
    }


def import_preview(request, phonebook, parsed, token: str, file_name: str, replace: bool, refused: bool = False):
    """What a file will import: every bad row with its line and contact, the first entries, and the button that
    imports them all (only when no row is bad)."""
    confirm = None
    if not parsed.rejected and parsed.entries:
        confirm = ImportConfirmForm(initial={"token": token, "file_name": file_name, "replace": replace})
    context = {
        **preview_context(parsed, file_name),
        "phonebook": phonebook,
        "replace": replace,
        "confirm": confirm,
        "refused": refused,
        "upload_form": ImportForm(initial={"replace": replace}),
    }
    return render(request, "phonebooks/phonebook_import_preview.html", context)


def read_upload(form) -> tuple[bytes, importers.ParsedFile] | None:
    """The uploaded file of a valid import form, read whole (importers.parse) for its preview; None, with the
    reason added to the form's file field, when it cannot be read or holds no contact."""
    content = form.cleaned_data["file"].read()
    try:
        parsed = importers.parse(content)
    except importers.PhonebookFileError as exc:
        form.add_error("file", str(exc))
        return None
    if not parsed.entries and not parsed.rejected:
        form.add_error("file", _("The file has no contacts: nothing to import."))
        return None
    return content, parsed


def _import_purpose(phonebook) -> str:
    return f"phonebook-{phonebook.pk}"


class PhonebookImportView(AdminRequiredMixin, FormView):
    """Upload a file: the preview page reads it whole (importers.parse) and writes nothing."""

    form_class = ImportForm
    template_name = "phonebooks/phonebook_import.html"

    def dispatch(self, request, *args, **kwargs):
        self.phonebook = get_object_or_404(phonebooks_with_counts(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "phonebook": self.phonebook}

    def form_valid(self, form):
        read = read_upload(form)
        if read is None:
            return self.form_invalid(form)
        content, parsed = read
        token = uploads.keep(self.request.user, _import_purpose(self.phonebook), content)
        replace = form.cleaned_data["replace"]
        name = form.cleaned_data["file"].name[:255]
        return import_preview(self.request, self.phonebook, parsed, token, name, replace)


class PhonebookImportConfirmView(AdminRequiredMixin, View):
    """The preview's button: importers.import_file() imports every entry of the previewed file or none."""

    http_method_names = ["post"]

    def post(self, request, pk):
        phonebook = get_object_or_404(phonebooks_with_counts(), pk=pk)
        form = ImportConfirmForm(request.POST)
        purpose = _import_purpose(phonebook)
        content = uploads.read(request.user, purpose, request.POST.get("token", "")) if form.is_valid() else None
        if content is None:
            messages.error(request, _("The uploaded file is no longer available: upload it again."))
            return redirect("phonebooks:phonebook_import", phonebook.pk)
        token, file_name, replace = (form.cleaned_data[n] for n in ("token", "file_name", "replace"))
        try:
            parsed, imported = importers.import_file(phonebook, content, replace)
        except importers.PhonebookFileError as exc:
            messages.error(request, str(exc))
            return redirect("phonebooks:phonebook_import", phonebook.pk)
        if parsed.rejected:
            return import_preview(request, phonebook, parsed, token, file_name, replace, refused=True)
        uploads.discard(request.user, purpose, token)
        values = {"n": imported, "phonebook": phonebook, "file": file_name}
        if replace and file_name:
            text = ngettext(
                "%(phonebook)s now holds the %(n)s entry from %(file)s.",
                "%(phonebook)s now holds the %(n)s entries from %(file)s.",
                imported,
            )
        elif replace:
            text = ngettext(
                "%(phonebook)s now holds the %(n)s entry.", "%(phonebook)s now holds the %(n)s entries.", imported
            )
        elif file_name:
            text = ngettext(
                "%(n)s entry imported into %(phonebook)s from %(file)s.",
                "%(n)s entries imported into %(phonebook)s from %(file)s.",
                imported,
            )
        else:
            text = ngettext(
                "%(n)s entry imported into %(phonebook)s.", "%(n)s entries imported into %(phonebook)s.", imported
            )
        messages.success(request, text % values)
        return redirect("phonebooks:phonebook_detail", phonebook.pk)


BOM = "\ufeff".encode()  # Excel reads a CSV file as UTF-8 only when it starts with this mark


def export_response(chunks, filename: str, fmt: str, excel: bool = False):
    """The download of an export: `filename` without its extension; `excel`: a CSV file starting with the UTF-8
    byte order mark, so that Excel shows accented names right (other programs read it without the mark)."""
    if fmt == "vcard":
        return csvcells.download(chunks, f"{filename}.vcf", "text/vcard; charset=utf-8")
    if excel:
        chunks = _with_bom(chunks)
    return csvcells.download(chunks, f"{filename}.csv")


def _with_bom(chunks):
    yield BOM
    yield from chunks


def export_name(name: str, fallback: str) -> str:
    """A download's file name from a name ("Sales directory" -> "phonebook-sales-directory")."""
    return f"phonebook-{slugify(name) or fallback}"


class PhonebookExportView(AdminRequiredMixin, View):
    """The phonebook's file entries as CSV (sipXconfig layout, re-importable; `excel=1` for Excel) or vCard,
    streamed, in a file named after the phonebook."""

    def get(self, request, pk):
        phonebook = get_object_or_404(Phonebook, pk=pk)
        fmt = "vcard" if request.GET.get("format") == "vcard" else "csv"
        entries = phonebook.entries.order_by("last_name", "first_name", "number", "id").iterator(chunk_size=2000)
        chunks = exports.vcard_export(entries) if fmt == "vcard" else exports.csv_export(entries)
        name = export_name(phonebook.name, str(phonebook.pk))
        return export_response(chunks, name, fmt, excel=request.GET.get("excel") == "1")


class PhonebookSettingsView(AdminRequiredMixin, FormPage, UpdateView):
    form_class = PhonebookSettingsForm
    list_url_name = "phonebooks:phonebook_list"
    extra_context = {"title": gettext_lazy("Phonebook settings")}

    def get_object(self, queryset=None):
        return PhonebookSettings.load()

    def form_valid(self, form):
        services.save_settings(form.save(commit=False))
        messages.success(self.request, _("Phonebook settings saved."))
        return redirect(self.list_url_name)
