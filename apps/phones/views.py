"""Admin HTML pages for phones (administrators only): list, create, edit, delete and the CSV import."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.generic import CreateView, FormView, UpdateView

from apps.phones import importers, services
from apps.phones.filtersets import PhoneFilterSet
from apps.phones.forms import PhoneForm, PhoneImportForm, all_versions
from apps.phones.models import Line, Phone
from sipxweb.pages import AdminRequiredMixin, DeletePage, FormPage, ListPage

LINES_WITH_USERS = Prefetch("lines", queryset=Line.objects.select_related("user"))


class PhoneListView(AdminRequiredMixin, ListPage):
    queryset = Phone.objects.prefetch_related(LINES_WITH_USERS)
    filterset_class = PhoneFilterSet
    template_name = "phones/phone_list.html"


class PhoneFormMixin(AdminRequiredMixin, FormPage):
    model = Phone
    form_class = PhoneForm
    list_url_name = "phones:phone_list"
    template_name = "phones/phone_form.html"
    noun = "phone"
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
        messages.success(self.request, f"Phone {self.object} saved.")
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
        messages.success(self.request, f"Phone {self.object} saved.")
        return HttpResponseRedirect(self.get_success_url())


class PhoneDeleteView(AdminRequiredMixin, DeletePage):
    model = Phone
    list_url_name = "phones:phone_list"

    def form_valid(self, form):
        # Through the service, which records the deletion in the audit log.
        name = str(self.object)
        services.delete_phone(self.object)
        messages.success(self.request, f"{name} deleted.")
        return HttpResponseRedirect(self.get_success_url())


class PhoneImportView(AdminRequiredMixin, FormView):
    """Upload a CSV file; every row goes through services.create_phones; the result page lists the created
    serials and the skipped rows with their line numbers and reasons."""

    form_class = PhoneImportForm
    template_name = "phones/phone_import.html"

    def form_valid(self, form):
        try:
            result = importers.import_phones(form.cleaned_data["file"].read())
        except importers.CsvImportError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        if result.created:
            messages.success(self.request, f"{len(result.created)} phone(s) created.")
        return render(self.request, "phones/phone_import_result.html", {"result": result, "title": "Import result"})
