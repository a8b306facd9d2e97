"""Admin call pages: active calls (refreshes itself) and call history (filters, search, pagination, streamed CSV,
SVG charts per day and per hour). The bases serve the portal's own-call pages too (portal_views.py). Each call is
shown with the names beside its numbers and its direction (names.py), its duration as `m:ss`, its result in words;
times are in the server's time zone, which the pages name."""

from datetime import timedelta
from typing import NamedTuple

from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from apps.cdrs import exports, services
from apps.cdrs.charts import bar_chart
from apps.cdrs.filtersets import CdrFilterSet, names_for, search_calls
from apps.cdrs.models import Cdr, Termination
from apps.cdrs.names import Names
from apps.cdrs.sipuri import user_of
from sipxweb import csvcells
from sipxweb.pages import AdminRequiredMixin, search_text


class ActiveCallsBase(TemplateView):
    """Active calls, all of them or (`own`) the logged-in user's; `?fragment=1` is the table alone (calls.js)."""

    template_name = "cdrs/active_calls.html"
    own = False

    def get_template_names(self):
        if self.request.GET.get("fragment"):
            return ["cdrs/active_calls_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = list(services.active_calls(self.request.user.username if self.own else None))
        durations = {cdr.pk: services.active_duration_ms(cdr, now) // 1000 for cdr in rows}
        context.update(
            calls=call_rows(rows, Names(self.request.user if self.own else None), durations),
            own=self.own,
            time_zone=timezone.get_current_timezone_name(),
            title="My active calls" if self.own else "Active calls",
        )
        return context


class ActiveCallsView(AdminRequiredMixin, ActiveCallsBase):
    pass


def history_filterset(request, own: bool) -> CdrFilterSet:
    """The history's FilterSet over the query string; `own`: the logged-in user's calls, whatever `user` says."""
    # An unbound FilterSet filters nothing: the own pages are always bound, so that `own` applies.
    data = request.GET.copy() if request.GET or own else None
    return CdrFilterSet(data, queryset=Cdr.objects.order_by("-start_time", "-id"), own=request.user if own else None)


def history(filterset: CdrFilterSet, query: str = ""):
    """The filtered records, narrowed by the search box's `query`; an invalid filter lists nothing (the page shows
    the form's errors)."""
    if filterset.is_bound and not filterset.is_valid():
        return Cdr.objects.none()
    return search_calls(filterset.qs, query)


def duration_text(seconds: int | None) -> str:
    """`65` -> `1:05`, `3725` -> `1:02:05`; "" for a call still going on."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def result_text(cdr: Cdr) -> str:
    """A record's outcome in words: a failure by its SIP status (no answer, busy, or the reason)."""
    if cdr.termination != Termination.FAILED:
        return cdr.get_termination_display()
    status = cdr.failure_status
    if status in (408, 480, 487):
        return "no answer"
    if status in (486, 600):
        return "busy"
    if status:
        return f"failed ({status}{' ' + cdr.failure_reason if cdr.failure_reason else ''})"
    return f"failed ({cdr.failure_reason})" if cdr.failure_reason else "failed"


def is_click_to_call(cdr: Cdr) -> bool:
    """Click-to-call's record: its first INVITE came from the call-control agent (Contact `callcontroller@...`)."""
    return user_of(cdr.caller_contact) == "callcontroller"


class CallRow(NamedTuple):
    """One line of a call page, names looked up (apps/cdrs/names.py)."""

    cdr: Cdr
    caller: str
    caller_name: str
    callee: str
    callee_name: str
    direction: str
    duration: str
    result: str
    click_to_call: bool


def call_rows(cdrs, names: Names, durations: dict | None = None) -> list[CallRow]:
    """The lines of `cdrs`; `durations`: seconds by record id (active calls, measured now), else the record's."""
    cdrs = list(cdrs)
    names.load_cdrs(cdrs)
    rows = []
    for cdr in cdrs:
        seconds = durations.get(cdr.pk) if durations is not None else cdr.duration_seconds
        rows.append(
            CallRow(
                cdr,
                *names.caller(cdr),
                *names.callee(cdr),
                names.direction(cdr),
                duration_text(seconds),
                result_text(cdr),
                is_click_to_call(cdr),
            )
        )
    return rows


class CdrListBase(ListView):
    """Call history, all of it or (`own`) the logged-in user's, with the charts of the filtered records."""

    template_name = "cdrs/cdr_list.html"
    paginate_by = 25
    own = False

    def get_queryset(self):
        self.filterset = history_filterset(self.request, self.own)
        self.query = search_text(self.request.GET.get("q", ""))[:100]
        return history(self.filterset, self.query)

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
        names = Names(self.request.user if self.own else None)
        context.update(
            filter=self.filterset,
            query=self.query,
            rows=call_rows(context["object_list"], names),
            own=self.own,
            querystring=params.urlencode(),
            charts=self.charts(self.object_list),
            time_zone=timezone.get_current_timezone_name(),
            title="My call history" if self.own else "Call history",
        )
        return context


class CdrListView(AdminRequiredMixin, CdrListBase):
    pass


def cdr_csv(request):
    """The whole filtered history as CSV (exports.py), streamed: admins any calls, users their own."""
    if not request.user.is_authenticated:
        return redirect("login")
    own = not getattr(request.user, "is_admin", False)
    if own and request.GET.get("user") and request.user.username not in names_for(request.GET["user"]):
        return HttpResponseForbidden("You may export only your own calls.")
    rows = history(history_filterset(request, own), search_text(request.GET.get("q", ""))[:100])
    names = Names(request.user if own else None)
    return csvcells.download(exports.csv_export(rows, names), "calls.csv")
