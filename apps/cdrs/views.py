"""Admin call pages: active calls (refreshes itself) and call history (filters, pagination, streamed CSV, SVG
charts per day and per hour). The bases serve the portal's own-call pages too (portal_views.py)."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import ExtractHour, TruncDate
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from apps.cdrs import exports, services
from apps.cdrs.charts import bar_chart
from apps.cdrs.filtersets import CdrFilterSet
from apps.cdrs.models import Cdr
from sipxweb import csvcells
from sipxweb.pages import AdminRequiredMixin


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
        rows = services.active_calls(self.request.user.username if self.own else None)
        context.update(
            calls=[(cdr, services.active_duration_ms(cdr, now) // 1000) for cdr in rows],
            own=self.own,
            title="My active calls" if self.own else "Active calls",
        )
        return context


class ActiveCallsView(AdminRequiredMixin, ActiveCallsBase):
    pass


def history_filterset(request, own: bool) -> CdrFilterSet:
    """The history's FilterSet over the query string; `own`: the logged-in user's calls, whatever `user` says."""
    data = request.GET.copy()
    if own:
        data["user"] = request.user.username
    return CdrFilterSet(data or None, queryset=Cdr.objects.order_by("-start_time", "-id"))


def history(filterset: CdrFilterSet):
    """The filtered records; an invalid filter lists nothing (the page shows the form's errors)."""
    if filterset.is_bound and not filterset.is_valid():
        return Cdr.objects.none()
    return filterset.qs


class CdrListBase(ListView):
    """Call history, all of it or (`own`) the logged-in user's, with the charts of the filtered records."""

    template_name = "cdrs/cdr_list.html"
    paginate_by = 25
    own = False

    def get_queryset(self):
        self.filterset = history_filterset(self.request, self.own)
        return history(self.filterset)

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
            form=self.filterset.form,
            own=self.own,
            querystring=params.urlencode(),
            charts=self.charts(self.object_list),
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
    if own and request.GET.get("user") and request.GET["user"] != request.user.username:
        return HttpResponseForbidden("You may export only your own calls.")
    return csvcells.download(exports.csv_export(history(history_filterset(request, own))), "calls.csv")
