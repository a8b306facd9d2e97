"""Call pages. Admin: active calls (refreshes itself) and call history (filters, pagination, streamed CSV,
SVG charts per day and per hour). Portal: my active calls, my call history, the call box."""

from datetime import datetime, time, timedelta

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from apps.cdrs import services
from apps.cdrs.charts import bar_chart
from apps.cdrs.forms import CdrFilterForm
from apps.cdrs.models import Cdr
from sipxweb import csvcells
from sipxweb.pages import AdminRequiredMixin


class _ActiveBase(TemplateView):
    template_name = "cdrs/active_calls.html"
    own = False

    def get_template_names(self):
        if self.request.GET.get("fragment"):
            return ["cdrs/active_calls_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = services.active_calls(self.request.user.username if self.own else None)
        context.update(
            calls=[(cdr, services.wire_cdr(cdr, now)["duration"] // 1000) for cdr in rows],
            own=self.own,
            title="My active calls" if self.own else "Active calls",
        )
        return context


class ActiveCallsView(AdminRequiredMixin, _ActiveBase):
    pass


class MyActiveCallsView(LoginRequiredMixin, _ActiveBase):
    own = True


def _range(form: CdrFilterForm):
    tz = timezone.get_current_timezone()
    start = end = None
    if form.cleaned_data.get("start"):
        start = timezone.make_aware(datetime.combine(form.cleaned_data["start"], time.min), tz)
    if form.cleaned_data.get("end"):
        end = timezone.make_aware(datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min), tz)
    return start, end


def filtered(request, own: bool):
    """(form, queryset) of the history pages; an invalid form shows its errors and an empty list."""
    form = CdrFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, Cdr.objects.none()
    data = form.cleaned_data if form.is_bound else {}
    start, end = _range(form) if form.is_bound else (None, None)
    user = request.user.username if own else (data.get("user") or "").strip()
    return form, services.history(user=user, start=start, end=end, direction=data.get("direction") or "")


class _HistoryBase(ListView):
    template_name = "cdrs/cdr_list.html"
    paginate_by = 25
    own = False

    def get_queryset(self):
        self.form, qs = filtered(self.request, self.own)
        return qs

    def charts(self, qs) -> list[str]:
        per_day = dict(qs.order_by().annotate(day=TruncDate("start_time")).values_list("day").annotate(n=Count("id")))
        per_hour = dict(
            qs.order_by().annotate(hour=ExtractHour("start_time")).values_list("hour").annotate(n=Count("id"))
        )
        days = sorted(d for d in per_day if d is not None)
        day_bars = []
        if days:
            day, last = days[0], days[-1]
            while day <= last and len(day_bars) < 366:
                day_bars.append((day.strftime("%m-%d"), per_day.get(day, 0)))
                day += timedelta(days=1)
        hour_bars = [(f"{h:02d}", per_hour.get(h, 0)) for h in range(24)]
        return [bar_chart("Calls per day", day_bars), bar_chart("Calls per hour of the day", hour_bars)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            form=self.form,
            own=self.own,
            querystring=params.urlencode(),
            charts=self.charts(self.object_list),
            title="My call history" if self.own else "Call history",
        )
        return context


class CdrListView(AdminRequiredMixin, _HistoryBase):
    pass


class MyCdrListView(LoginRequiredMixin, _HistoryBase):
    own = True


CSV_HEADER = ["call id", "caller", "callee", "start", "connect", "end", "duration (s)", "termination", "failure"]


def cdr_csv(request):
    """The whole filtered history as CSV (RFC 4180, UTF-8), streamed (admins; users get their own). Written by
    `sipxweb.csvcells`: a call id or address from a /cse feed that starts like a formula is neutralised."""
    if not request.user.is_authenticated:
        return redirect("login")
    own = not getattr(request.user, "is_admin", False)
    if own and request.GET.get("user") and request.GET["user"] != request.user.username:
        return HttpResponseForbidden("You may export only your own calls.")
    form, qs = filtered(request, own)

    def rows():
        for cdr in qs.iterator(chunk_size=1000):
            yield [
                cdr.call_id,
                cdr.caller_aor,
                cdr.callee_aor,
                cdr.start_time.isoformat(),
                cdr.connect_time.isoformat() if cdr.connect_time else "",
                cdr.end_time.isoformat() if cdr.end_time else "",
                "" if cdr.duration_seconds is None else cdr.duration_seconds,
                cdr.get_termination_display(),
                cdr.failure_status or "",
            ]

    return csvcells.download(csvcells.stream(CSV_HEADER, rows()), "calls.csv")
