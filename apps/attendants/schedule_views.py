"""The special-mode schedule's pages (administrators and attendant administrators, as the special-mode switch):
add, edit and delete a period; the periods, and whether special mode is on now and why, are shown on the
attendant list beside the switch (`special_context`)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import CreateView, UpdateView

from apps.attendants import schedule, services
from apps.attendants.models import SpecialModePeriod
from apps.attendants.schedule_forms import PeriodForm
from apps.attendants.views import AttendantAdminRequiredMixin
from sipxweb.pages import DeletePage, FormPage


def special_context() -> dict:
    """What the attendant list's special-mode panel shows: the state now in a sentence (special_mode_at, the
    routing's answer), when it changes next, and the periods with the one that applies now marked."""
    state = schedule.special_mode_at(with_next=True)
    if state.on:
        if state.reason == "manual":
            now = gettext("Special mode on now (manual switch)")
        else:
            now = gettext("Special mode on now (%(period)s)") % {"period": state.period.name}
    else:
        now = gettext("Special mode off now")
    if state.next_change is None:
        after = gettext("The manual switch is on: it stays on until it is switched off.") if state.manual else ""
    elif state.on:
        after = gettext("It ends %(when)s.") % {"when": schedule.moment(state.next_change)}
    else:
        after = gettext("It comes on %(when)s (%(period)s).") % {
            "when": schedule.moment(state.next_change),
            "period": state.next_period.name,
        }
    periods = [
        {"period": p, "when": schedule.describe(p), "active": state.period is not None and p.pk == state.period.pk}
        for p in SpecialModePeriod.objects.order_by("id")
    ]
    return {
        "special_now": state,
        "special_now_text": now,
        "special_next_text": after,
        "special_periods": periods,
        "special_zone": schedule.zone().key,
    }


class PeriodFormMixin(AttendantAdminRequiredMixin, FormPage):
    model = SpecialModePeriod
    form_class = PeriodForm
    list_url_name = "attendants:attendant_list"
    noun = "special-mode period"
    delete_url_name = "attendants:period_delete"

    def get_success_url(self):
        return reverse(self.list_url_name) + "#special-mode"

    def form_valid(self, form):
        period = form.period()
        is_new = period.pk is None
        try:
            self.object = services.save_period(period)
        except services.PeriodError as exc:
            if is_new:
                period.pk = None
            form.add_error(form.field_for(exc.field), exc.messages[0])
            return self.form_invalid(form)
        messages.success(
            self.request,
            gettext("Period %(name)s saved: %(when)s.") % {"name": self.object, "when": schedule.describe(self.object)},
        )
        return HttpResponseRedirect(self.get_success_url())


class PeriodCreateView(PeriodFormMixin, CreateView):
    pass


class PeriodUpdateView(PeriodFormMixin, UpdateView):
    pass


class PeriodDeleteView(AttendantAdminRequiredMixin, DeletePage):
    model = SpecialModePeriod
    list_url_name = "attendants:attendant_list"

    def form_valid(self, form):
        name = str(self.object)
        services.delete_period(self.object)
        messages.success(self.request, gettext("Period %(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(reverse(self.list_url_name) + "#special-mode")
