"""HTML pages for auto-attendants: the list with the special-mode panel (administrators and attendant
administrators), the attendant editor with its menu and prompt, and deletion (administrators only)."""

import mimetypes
import os
import re

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import CreateView, UpdateView

from apps.attendants import services
from apps.attendants.filtersets import AutoAttendantFilterSet
from apps.attendants.forms import AttendantForm, MenuFormSet, SpecialAttendantForm
from apps.attendants.models import AutoAttendant, SpecialMode
from sipxweb import mediafiles
from sipxweb.pages import AdminRequiredMixin, DeletePage, FormPage, ListPage
from sipxweb.ranges import file_response


class AttendantAdminRequiredMixin(UserPassesTestMixin):
    """Administrators and attendant administrators (the REST role IsAttendantAdmin); others get 403."""

    def test_func(self):
        user = self.request.user
        return user.is_authenticated and (user.is_admin or user.perm_attendant_admin)


class AttendantListView(AttendantAdminRequiredMixin, ListPage):
    queryset = AutoAttendant.objects.annotate(menu_size=Count("menu")).order_by("id")  # GROUP BY drops Meta.ordering
    filterset_class = AutoAttendantFilterSet  # its search_fields are the search box's
    template_name = "attendants/attendant_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mode = SpecialMode.current()
        context["special_mode"] = mode
        context["special_form"] = SpecialAttendantForm(initial={"attendant": mode.attendant_id})
        from apps.attendants.schedule_views import special_context  # it imports this module's permission mixin

        context.update(special_context())
        return context


class SpecialModeView(AttendantAdminRequiredMixin, View):
    """POST `enabled=on|off`: turns the special (after-hours) mode on or off, as PUT/DELETE specialmode do."""

    def post(self, request):
        if request.POST.get("enabled") == "on":
            try:
                mode = services.special_mode_on(select_afterhour=False)
            except services.SpecialModeConflict as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, gettext("Special mode is on: calls go to %(name)s.") % {"name": mode.attendant}
                )
        elif request.POST.get("enabled") == "off":
            services.special_mode_off()
            messages.success(request, gettext("Special mode is off."))
        else:
            messages.error(request, gettext("Choose on or off."))
        return redirect("attendants:attendant_list")


class SpecialAttendantView(AttendantAdminRequiredMixin, View):
    """POST `attendant=<pk>` selects the special attendant; an empty value clears it (refused while on, 409)."""

    def post(self, request):
        form = SpecialAttendantForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("That attendant does not exist."))
        elif form.cleaned_data["attendant"] is None:
            try:
                services.clear_special()
            except services.SpecialModeConflict as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, gettext("No special attendant is selected."))
        else:
            attendant = form.cleaned_data["attendant"]
            services.select_special(attendant)
            messages.success(request, gettext("%(name)s is the special attendant.") % {"name": attendant})
        return redirect("attendants:attendant_list")


class AttendantFormMixin(AdminRequiredMixin, FormPage):
    """The attendant editor: the attendant's fields and its menu formset, saved together by
    services.save_attendant in one transaction. A bad submit shows every row as typed with its errors."""

    model = AutoAttendant
    form_class = AttendantForm
    list_url_name = "attendants:attendant_list"
    template_name = "attendants/attendant_form.html"
    noun = "attendant"
    delete_url_name = "attendants:attendant_delete"

    def get_formset(self):
        names = set(AutoAttendant.objects.values_list("name", flat=True))
        if self.request.method == "POST":
            names.add(self.request.POST.get("name", "").strip())  # a menu may name the attendant itself
            return MenuFormSet(self.request.POST, prefix="menu", form_kwargs={"attendant_names": names})
        initial = []
        if self.object is not None:
            initial = [{"key": m.key, "action": m.action, "parameter": m.parameter} for m in self.object.menu.all()]
        return MenuFormSet(initial=initial, prefix="menu", form_kwargs={"attendant_names": names})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", kwargs.get("formset") or self.get_formset())
        context["needs_parameter"] = {str(action): hint for action, hint in services.NEEDS_PARAMETER.items()}
        context["parameter_help"] = [(action.label, hint) for action, hint in services.NEEDS_PARAMETER.items()]
        return context

    def form_valid(self, form):
        formset = self.get_formset()
        if not formset.is_valid():
            return self.form_invalid(form, formset)
        is_new = form.instance.pk is None
        try:
            with mediafiles.atomic():  # a refused menu also removes the prompt the form just stored
                self.object = services.save_attendant(form.save(commit=False), formset.menu_items())
        except ValidationError as exc:
            if is_new:  # rolled back: the form must still create
                form.instance.pk, form.instance._state.adding = None, True
            self.object = None if is_new else self.object
            for message in exc.messages:
                match = re.match(r"key (\S)", message)
                row = formset.form_for_key(match.group(1)) if match else None
                if row is not None:
                    row.add_error("parameter", message)
                else:
                    form.add_error(None, message)
            return self.form_invalid(form, formset)
        messages.success(self.request, gettext("Attendant %(name)s saved.") % {"name": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form, formset=None):
        formset = formset or self.get_formset()
        formset.is_valid()  # errors of the rows too, even when the attendant's own fields are wrong
        if form.files.get("prompt"):
            form.add_error("prompt", gettext("The file was not saved: choose it again."))
        return self.render_to_response(self.get_context_data(form=form, formset=formset))


class AttendantCreateView(AttendantFormMixin, CreateView):
    pass


class AttendantUpdateView(AttendantFormMixin, UpdateView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.prompt:
            context["prompt_url"] = reverse("attendants:attendant_prompt", args=[self.object.pk])
        return context


class AttendantDeleteView(AdminRequiredMixin, DeletePage):
    """System attendants (operator, afterhour) cannot be deleted: the page says why, the POST is refused."""

    model = AutoAttendant
    list_url_name = "attendants:attendant_list"
    template_name = "attendants/attendant_confirm_delete.html"

    def form_valid(self, form):
        name = str(self.object)
        try:
            services.delete_attendant(self.object)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(self.request, gettext("%(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(self.get_success_url())


class AttendantPromptView(AdminRequiredMixin, View):
    """Streams an attendant's prompt to the editor's <audio> player (media files are not served by urls.py)."""

    def get(self, request, pk):
        attendant = get_object_or_404(AutoAttendant, pk=pk)
        if not attendant.prompt:
            raise Http404("This attendant has no prompt.")
        content_type = mimetypes.guess_type(attendant.prompt.name)[0] or "application/octet-stream"
        try:  # with byte ranges, so the player can seek (sipxweb/ranges.py, as every stored file)
            return file_response(request, attendant.prompt, content_type, os.path.basename(attendant.prompt.name))
        except FileNotFoundError:
            raise Http404("The prompt file is missing from media storage.") from None
