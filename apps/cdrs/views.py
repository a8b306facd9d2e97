"""Admin call pages: active calls (refreshes itself) and call history (filters, search, pagination, streamed CSV,
SVG charts per day and per hour). The bases serve the portal's own-call pages too (portal_views.py). Each call is
shown with the names beside its numbers and its direction (names.py), its duration as `m:ss`, its result in words;
times are in the server's time zone, which the pages name."""

from datetime import timedelta
from typing import NamedTuple

from django.db.models import Case, Count, DurationField, F, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from apps.cdrs import exports, services
from apps.cdrs.charts import bar_chart
from apps.cdrs.filtersets import CdrFilterSet, names_for, search_calls
from apps.cdrs.models import Cdr, Termination
from apps.cdrs.names import Names
from apps.cdrs.sipuri import user_of
from sipxweb import csvcells
from sipxweb.pages import AdminRequiredMixin, ListPage, Sorting, search_text


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
            title=_("My active calls") if self.own else _("Active calls"),
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
        return _("no answer")
    if status in (486, 600):
        return _("busy")
    if status:
        reason = f"{status} {cdr.failure_reason}" if cdr.failure_reason else str(status)
        return _("failed (%(reason)s)") % {"reason": reason}
    return _("failed (%(reason)s)") % {"reason": cdr.failure_reason} if cdr.failure_reason else _("failed")


def is_click_to_call(cdr: Cdr) -> bool:
    """Click-to-call's record: its first INVITE came from the call-control agent (Contact `callcontroller@...`)."""
    return user_of(cdr.caller_contact) == "callcontroller"


# A call's direction in the page's words (names.direction gives the value the CSV export writes).
DIRECTIONS = {
    "internal": gettext_lazy("internal"),
    "outgoing": gettext_lazy("outgoing"),
    "incoming": gettext_lazy("incoming"),
}


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
                str(DIRECTIONS.get(names.direction(cdr), "")),
                duration_text(seconds),
                result_text(cdr),
                is_click_to_call(cdr),
            )
        )
    return rows


# The history's sortable columns (?ordering=), for the pages and their CSV export. A call's length is counted from
# the answer, as the page shows it: 0 for a call never answered, none (listed last) while it goes on.
CONNECTED = Case(
    When(end_time__isnull=True, then=Value(None)),
    When(connect_time__isnull=True, then=Value(timedelta(0))),
    default=F("end_time") - F("connect_time"),
    output_field=DurationField(),
)
HISTORY_SORTS = {
    "start": ("start_time",),
    "caller": ("caller_user", "caller_aor"),
    "callee": ("callee_user", "callee_aor"),
    "duration": (CONNECTED,),
}
DEFAULT_SORT = "-start"  # the latest call first


def sorted_history(request, rows):
    """`rows` in the order `?ordering=` names (HISTORY_SORTS), else the latest first; the record id last, so pages
    never repeat or skip a call. The `Sorting` of the page's column headers with them."""
    sorting = Sorting(request, HISTORY_SORTS, DEFAULT_SORT)
    return rows.order_by(*sorting.order_by(HISTORY_SORTS), "-id" if sorting.descending else "id"), sorting


class CdrListBase(ListPage):
    """Call history, all of it or (`own`) the logged-in user's, with the charts of the filtered records; sortable
    columns, page numbers and a page-size choice as every list (sipxweb.pages.ListPage), its own filters and
    search (the records' numbers and the names of the users taking part)."""

    template_name = "cdrs/cdr_list.html"
    paginate_by = 25
    own = False

    def get_queryset(self):
        self.filterset = history_filterset(self.request, self.own)
        self.query = search_text(self.request.GET.get("q", ""))[:100]
        rows, self.sorting = sorted_history(self.request, history(self.filterset, self.query))
        return rows

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
        return [bar_chart(_("Calls per day"), day_bars), bar_chart(_("Calls per hour of the day"), hour_bars)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = Names(self.request.user if self.own else None)
        time_zone = timezone.get_current_timezone_name()
        context.update(
            rows=call_rows(context["object_list"], names),
            own=self.own,
            charts=self.charts(self.object_list),
            start_label=_("Start (%(time_zone)s)") % {"time_zone": time_zone},
            time_zone=time_zone,
            title=_("My call history") if self.own else _("Call history"),
        )
        return context


class CdrListView(AdminRequiredMixin, CdrListBase):
    pass


def cdr_csv(request):
    """The whole filtered history as CSV (exports.py), in the page's order, streamed: admins any calls, users their
    own."""
    if not request.user.is_authenticated:
        return redirect("login")
    own = not getattr(request.user, "is_admin", False)
    if own and request.GET.get("user") and request.user.username not in names_for(request.GET["user"]):
        return HttpResponseForbidden(_("You may export only your own calls."))
    rows, _sorting = sorted_history(
        request, history(history_filterset(request, own), search_text(request.GET.get("q", ""))[:100])
    )
    names = Names(request.user if own else None)
    return csvcells.download(exports.csv_export(rows, names), "calls.csv")
