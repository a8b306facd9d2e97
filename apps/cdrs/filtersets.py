"""FilterSets for call records: one per listed model. `CdrFilterSet` is the call history's filters, the same for the
admin page, the portal page, the CSV export and /api/v1/cdrs (same query string, same rows); `search_calls` is the
pages' search box over the same rows."""

from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.cdrs.models import Cdr
from apps.users.lookup import find_user
from apps.users.models import LoginName, User

DATE = forms.DateInput(attrs={"type": "date"})


class CdrFilterForm(forms.Form):
    """The filters' form: a date range must not end before it starts (the page shows why, and lists nothing)."""

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


def _midnight(day: date):
    """The start of `day` in the current time zone (the dates people type are local dates)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def party_names(user: User) -> list[str]:
    """The user parts a user's calls carry: their user name and aliases (a phone may register with either)."""
    kinds = (LoginName.Kind.USERNAME, LoginName.Kind.ALIAS)
    aliases = user.login_names.filter(kind__in=kinds).exclude(name=user.username).values_list("name", flat=True)
    return [user.username, *aliases]


def names_for(typed: str) -> list[str]:
    """What the `user` filter matches: a user name or alias (any case, apps.users.lookup) means all of that user's
    names; anything else (an outside number) is matched as written."""
    user = find_user(typed)
    return party_names(user) if user is not None else [typed]


def _of(queryset, names: list[str], direction: str | None):
    if direction == "out":
        return queryset.filter(caller_user__in=names)
    if direction == "in":
        return queryset.filter(callee_user__in=names)
    return queryset.filter(Q(caller_user__in=names) | Q(callee_user__in=names))


class CdrFilterSet(django_filters.FilterSet):
    """Finished and active records started in a date range (`end` inclusive), of a user (a user name or alias means
    every name of that user, as the user part of the caller or callee AOR), by direction: `out` the user called,
    `in` the user was called; a direction without a user filters nothing. `own=<user>` (the portal's pages, a
    user's CSV): that user's calls whatever the query string says, with no `user` field."""

    search_fields = ("caller_user", "callee_user", "caller_name", "caller_aor", "callee_aor")

    start = django_filters.DateFilter(method="filter_start", label=_("From (date)"), widget=DATE)
    end = django_filters.DateFilter(method="filter_end", label=_("To (date, inclusive)"), widget=DATE)
    user = django_filters.CharFilter(method="filter_user", label=_("User (name, alias or number)"), max_length=255)
    direction = django_filters.ChoiceFilter(
        choices=[("out", _("made by the user")), ("in", _("received by the user"))],
        method="filter_direction",
        label=_("Direction"),
        empty_label=_("both"),
    )

    class Meta:
        model = Cdr
        fields = ["start", "end", "user", "direction"]
        form = CdrFilterForm

    def __init__(self, *args, own: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.own = own
        if own is not None:
            del self.filters["user"]
            self.filters["direction"].extra["choices"] = [("out", _("made by me")), ("in", _("received by me"))]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.own is not None:
            queryset = _of(queryset, party_names(self.own), self.form.cleaned_data.get("direction"))
        return queryset

    def filter_start(self, queryset, name, value):
        return queryset.filter(start_time__gte=_midnight(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(start_time__lt=_midnight(value + timedelta(days=1)))

    def filter_user(self, queryset, name, value):
        return _of(queryset, names_for(value), self.form.cleaned_data.get("direction"))

    def filter_direction(self, queryset, name, value):
        return queryset  # it says which side of the call `user` (or `own`) is: filter_user applies it


def search_calls(queryset, query: str):
    """The search box of the history pages: `query` in a number, address or caller display name of the call
    (CdrFilterSet.search_fields), or in the name of a user who took part (`Bob` finds the calls of 201)."""
    if not query:
        return queryset
    named = User.objects.annotate(full=Concat("first_name", Value(" "), "last_name")).filter(
        Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(full__icontains=query)
    )
    kinds = (LoginName.Kind.USERNAME, LoginName.Kind.ALIAS)
    names = LoginName.objects.filter(user__in=named, kind__in=kinds).values("name")
    by_text = reduce(or_, (Q(**{f"{field}__icontains": query}) for field in CdrFilterSet.search_fields))
    return queryset.filter(by_text | Q(caller_user__in=names) | Q(callee_user__in=names))
