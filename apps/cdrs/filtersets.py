"""FilterSets for call records: one per listed model. `CdrFilterSet` is the call history's filters, the same for the
admin page, the portal page and the CSV export (same query string, same rows)."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from apps.cdrs.models import Cdr

DATE = forms.DateInput(attrs={"type": "date"})


class CdrFilterForm(forms.Form):
    """The filters' form: a date range must not end before it starts (the page shows why, and lists nothing)."""

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must not be after the end date.")
        return data


def _midnight(day: date):
    """The start of `day` in the current time zone (the dates people type are local dates)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class CdrFilterSet(django_filters.FilterSet):
    """Finished and active records started in a date range (`end` inclusive), of a user (the user part of the caller
    or callee AOR, as stored), by direction: `out` the user called, `in` the user was called; a direction without
    a user filters nothing. The portal's pages give the logged-in user's name as `user`."""

    start = django_filters.DateFilter(method="filter_start", label="From (date)", widget=DATE)
    end = django_filters.DateFilter(method="filter_end", label="To (date, inclusive)", widget=DATE)
    user = django_filters.CharFilter(method="filter_user", label="User", max_length=255)
    direction = django_filters.ChoiceFilter(
        choices=[("out", "made by the user"), ("in", "received by the user")],
        method="filter_direction",
        label="Direction",
        empty_label="both",
    )

    class Meta:
        model = Cdr
        fields = ["start", "end", "user", "direction"]
        form = CdrFilterForm

    def filter_start(self, queryset, name, value):
        return queryset.filter(start_time__gte=_midnight(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(start_time__lt=_midnight(value + timedelta(days=1)))

    def filter_user(self, queryset, name, value):
        direction = self.form.cleaned_data.get("direction")
        if direction == "out":
            return queryset.filter(caller_user=value)
        if direction == "in":
            return queryset.filter(callee_user=value)
        return queryset.filter(Q(caller_user=value) | Q(callee_user=value))

    def filter_direction(self, queryset, name, value):
        return queryset  # it says which side of the call `user` is: filter_user applies it
