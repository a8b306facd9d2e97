"""Admin HTML pages for phones (administrators only): list, create, edit, delete and the CSV import (upload, a
preview naming every problem, then one click to import the whole file)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Prefetch, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import CreateView, FormView, UpdateView, View

from apps.phones import importers, services
from apps.phones.catalogue import CATALOGUE
from apps.phones.filtersets import PhoneFilterSet
from apps.phones.forms import ImportConfirmForm, PhoneForm, PhoneImportForm, all_versions
from apps.phones.models import Line, Phone
from sipxweb import uploads
from sipxweb.pages import AdminRequiredMixin, DeletePage, FormPage, ListPage

LINES_WITH_USERS = Prefetch("lines", queryset=Line.objects.select_related("user"))

# The model column sorts by the name the page shows ("Polycom VVX 300/310"), not by the catalogue id.
MODEL_NAME = Case(
    *(When(model=m.id, then=Value(f"{m.vendor} {m.label}")) for m in CATALOGUE.values()),
    default="model",
    output_field=CharField(),
)


class PhoneListView(AdminRequiredMixin, ListPage):
    queryset = Phone.objects.prefetch_related(LINES_WITH_USERS)
    filterset_class = PhoneFilterSet
    template_name = "phones/phone_list.html"
    sort_columns = {
        "serial_number": ("serial_number",),
        "model": (MODEL_NAME, "version"),
        "version": ("version",),
        "description": (Lower("description"),),
    }


class PhoneFormMixin(AdminRequiredMixin, FormPage):
    model = Phone
    form_class = PhoneForm
    list_url_name = "phones:phone_list"
    template_name = "phones/phone_form.html"
    noun = gettext_lazy("phone")
    delete_url_name = "phones:phone_delete"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["versions"] = all_versions()
        return context


class PhoneCreateView(PhoneFormMixin, CreateView):
    """The form checks field by field; services.create_phone has the last word (and creates the lines)."""

    def form_valid(self, form):
        try:
            self.object = services.create_phone(form.phone_data())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Phone %(phone)s saved.") % {"phone": self.object})
        return HttpResponseRedirect(self.get_success_url())


class PhoneUpdateView(PhoneFormMixin, UpdateView):
    """The phone's form, then the sections other apps add to the page (settings.PHONE_PAGE_SECTIONS: provisioning's
    files and Resync), named by setting so that this app imports none of them."""

    queryset = Phone.objects.prefetch_related(LINES_WITH_USERS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = [import_string(path)(self.request, self.object) for path in settings.PHONE_PAGE_SECTIONS]
        return context

    def form_valid(self, form):
        self.object = form.save()
        messages.success(self.request, _("Phone %(phone)s saved.") % {"phone": self.object})
        return HttpResponseRedirect(self.get_success_url())


class PhoneDeleteView(AdminRequiredMixin, DeletePage):
    model = Phone
    list_url_name = "phones:phone_list"

    def form_valid(self, form):
        # Through the service, which records the deletion in the audit log.
        name = str(self.object)
        services.delete_phone(self.object)
        messages.success(self.request, _("Phone %(phone)s deleted.") % {"phone": name})
        return HttpResponseRedirect(self.get_success_url())


PREVIEW_ROWS = 100  # rows of a file the preview lists (every problem is listed)
IMPORT = "phones"  # the pending upload's purpose (sipxweb.uploads)


def preview_page(request, rows, token: str, file_name: str, refused: bool = False):
    """The preview of a file: every problem with its line and phone, the first rows as they will be imported, and
    the button that imports them all (only when no row has a problem)."""
    problems = [row for row in rows if row.error]
    confirm = None if problems or not rows else ImportConfirmForm(initial={"token": token, "file_name": file_name})
    context = {
        "title": _("Import %(file)s") % {"file": file_name} if file_name else _("Import phones"),
        "rows": rows[:PREVIEW_ROWS],
        "more": max(0, len(rows) - PREVIEW_ROWS),
        "count": len(rows),
        "problems": problems,
        "file_name": file_name,
        "confirm": confirm,
        "refused": refused,
        "upload_form": PhoneImportForm(),
    }
    return render(request, "phones/phone_import_preview.html", context)


class PhoneImportView(AdminRequiredMixin, FormView):
    """Upload a CSV file: the preview page checks every row (services.new_phone_problems) and writes nothing."""

    form_class = PhoneImportForm
    template_name = "phones/phone_import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            rows = importers.preview(content)
        except importers.CsvImportError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        if not rows:
            form.add_error("file", _("The file has no phones: one phone per row (serial, model, description, user)."))
            return self.form_invalid(form)
        token = uploads.keep(self.request.user, IMPORT, content)
        return preview_page(self.request, rows, token, upload.name[:255])


class PhoneImportConfirmView(AdminRequiredMixin, View):
    """The preview's button: every phone of the previewed file is created, or none (a row that went bad since the
    preview shows the preview again, naming it)."""

    http_method_names = ["post"]

    def post(self, request):
        form = ImportConfirmForm(request.POST)
        content = uploads.read(request.user, IMPORT, request.POST.get("token", "")) if form.is_valid() else None
        if content is None:
            messages.error(request, _("The uploaded file is no longer available: upload it again."))
            return redirect("phones:phone_import")
        token, file_name = form.cleaned_data["token"], form.cleaned_data["file_name"]
        try:
            rows = importers.import_phones(content)
        except importers.CsvImportError as exc:  # the file was read for the preview: only a changed parser
            messages.error(request, str(exc))
            return redirect("phones:phone_import")
        except importers.ImportRefused as exc:
            return preview_page(request, exc.rows, token, file_name, refused=True)
        uploads.discard(request.user, IMPORT, token)
        n = len(rows)
        if file_name:
            text = ngettext("%(n)s phone imported from %(file)s.", "%(n)s phones imported from %(file)s.", n)
        else:
            text = ngettext("%(n)s phone imported.", "%(n)s phones imported.", n)
        messages.success(request, text % {"n": n, "file": file_name})
        return redirect("phones:phone_list")
