"""Admin HTML pages for phonebooks (administrators only): list with entry counts, create/edit (members,
consumers), the entries of one phonebook with search and pagination, file import with its result, export,
and the PBX-wide phonebook settings."""

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import CreateView, FormView, UpdateView, View

from apps.phonebooks import exports, importers, services
from apps.phonebooks.filtersets import PhonebookEntryFilterSet, PhonebookFilterSet
from apps.phonebooks.forms import ImportForm, PhonebookForm, PhonebookSettingsForm
from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings
from apps.users.models import User
from sipxweb import csvcells
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

    def get_queryset(self):
        self.queryset = phonebooks_with_counts().order_by("name")
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
        messages.success(self.request, f"{self.object} saved.")
        return redirect(self.get_success_url())


class PhonebookCreateView(PhonebookFormMixin, CreateView):
    extra_context = {"title": "New phonebook"}


class PhonebookUpdateView(PhonebookFormMixin, UpdateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"Phonebook {self.object}"
        context["delete_url_name"] = "phonebooks:phonebook_delete"
        return context


class PhonebookDeleteView(AdminRequiredMixin, DeletePage):
    model = Phonebook
    list_url_name = "phonebooks:phonebook_list"

    def form_valid(self, form):
        name = str(self.object)
        services.delete_phonebook(self.object)
        messages.success(self.request, f"{name} deleted.")
        return redirect(self.get_success_url())


class PhonebookDetailView(AdminRequiredMixin, ListPage):
    """The file entries of one phonebook, searchable and paginated, with its members and consumers."""

    filterset_class = PhonebookEntryFilterSet
    template_name = "phonebooks/phonebook_detail.html"

    def get_queryset(self):
        self.phonebook = get_object_or_404(phonebooks_with_counts(), pk=self.kwargs["pk"])
        self.queryset = PhonebookEntry.objects.filter(phonebook=self.phonebook).order_by(
            "last_name", "first_name", "number", "id"
        )
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phonebook"] = self.phonebook
        return context


class PhonebookImportView(AdminRequiredMixin, FormView):
    """Upload a file; nothing is imported when a row is bad (the result page lists them with line numbers)."""

    form_class = ImportForm
    template_name = "phonebooks/phonebook_import.html"

    def dispatch(self, request, *args, **kwargs):
        self.phonebook = get_object_or_404(Phonebook, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "phonebook": self.phonebook}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        context = {"phonebook": self.phonebook, "file_name": upload.name}
        try:
            parsed, imported = importers.import_file(self.phonebook, upload.read(), form.cleaned_data["replace"])
        except importers.PhonebookFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        context.update(parsed=parsed, imported=imported)
        return render(self.request, "phonebooks/phonebook_import_result.html", context)


def export_response(chunks, filename: str, fmt: str):
    if fmt == "vcard":
        return csvcells.download(chunks, f"{filename}.vcf", "text/vcard; charset=utf-8")
    return csvcells.download(chunks, f"{filename}.csv")


class PhonebookExportView(AdminRequiredMixin, View):
    """The phonebook's file entries as CSV (sipXconfig layout, re-importable) or vCard, streamed."""

    def get(self, request, pk):
        phonebook = get_object_or_404(Phonebook, pk=pk)
        fmt = "vcard" if request.GET.get("format") == "vcard" else "csv"
        entries = phonebook.entries.order_by("last_name", "first_name", "number", "id").iterator(chunk_size=2000)
        chunks = exports.vcard_export(entries) if fmt == "vcard" else exports.csv_export(entries)
        return export_response(chunks, f"phonebook-{phonebook.pk}", fmt)


class PhonebookSettingsView(AdminRequiredMixin, FormPage, UpdateView):
    form_class = PhonebookSettingsForm
    list_url_name = "phonebooks:phonebook_list"
    extra_context = {"title": "Phonebook settings"}

    def get_object(self, queryset=None):
        return PhonebookSettings.load()

    def form_valid(self, form):
        services.save_settings(form.save(commit=False))
        messages.success(self.request, "Phonebook settings saved.")
        return redirect(self.list_url_name)
