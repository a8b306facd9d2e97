"""The special-mode schedule's page form: one period, weekly (days ticked, times of day) or one-off (dates, with
times that default to the whole days). services.save_period holds the rules (an end after the start, no overlap);
the form only reads what was typed."""

from datetime import time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.attendants import schedule
from apps.attendants.models import SpecialModePeriod

MIDNIGHT = time(0, 0)


class PeriodForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        label=_("Every week on"),
        choices=[(str(i), name) for i, name in enumerate(schedule.DAY_NAMES)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Tick days for a weekly period (it starts on those days); leave them all empty for a one-off "
            "period between two dates."
        ),
    )
    start_date = forms.DateField(
        label=_("From (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("One-off periods only."),
    )
    start_time = forms.TimeField(
        label=_("From (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("One-off: empty is 00:00."),
    )
    end_date = forms.DateField(
        label=_("Until (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("One-off periods only: the last day of the period."),
    )
    end_time = forms.TimeField(
        label=_("Until (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "Not included. Weekly: an end not later than the start is the next day (18:00 until 08:00). "
            "One-off: empty is the end of the last day."
        ),
    )

    class Meta:
        model = SpecialModePeriod
        fields = ["name", "start_date", "start_time", "end_date", "end_time"]  # weekdays: set by period()
        help_texts = {"name": _("Shown as the reason while it applies, e.g. night or holidays.")}

    field_order = ["name", "weekdays", "start_date", "start_time", "end_date", "end_time"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period = self.instance
        if period.pk is None or self.is_bound:
            return
        self.initial["weekdays"] = list(period.weekdays)
        if not period.weekly and period.end_time == MIDNIGHT and period.end_date is not None:
            # stored as the next day's 00:00: shown as the last day, the time left empty (the whole day)
            self.initial["end_date"], self.initial["end_time"] = period.end_date - timedelta(days=1), None

    def clean(self):
        cleaned = super().clean()
        days = cleaned.get("weekdays") or []
        if days:
            for name in ("start_date", "end_date"):
                if cleaned.get(name):
                    self.add_error(name, _("A weekly period has no dates: leave the dates empty, or untick the days."))
            for name, sentence in (
                ("start_time", _("Give the time of day the period starts.")),
                ("end_time", _("Give the time of day the period ends.")),
            ):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, sentence)
        else:
            if cleaned.get("start_date") is None and "start_date" not in self.errors:
                self.add_error("start_date", _("Give the first day, or tick weekdays for a weekly period."))
            if cleaned.get("end_date") is None and "end_date" not in self.errors:
                self.add_error("end_date", _("Give the last day of the period."))
        return cleaned

    def period(self) -> SpecialModePeriod:
        """The instance with what was typed (unsaved): a one-off end without a time is the end of its day."""
        period, data = self.instance, self.cleaned_data
        days = data.get("weekdays") or []
        period.name, period.weekdays = data["name"], "".join(sorted(days))
        if days:
            period.start_date = period.end_date = None
            period.start_time, period.end_time = data["start_time"], data["end_time"]
        else:
            period.start_date, period.start_time = data["start_date"], data.get("start_time") or MIDNIGHT
            end_date, end_time = data["end_date"], data.get("end_time")
            if end_time is None:
                end_date, end_time = end_date + timedelta(days=1), MIDNIGHT
            period.end_date, period.end_time = end_date, end_time
        return period

    # which field a refusal of services.check_period belongs to
    def field_for(self, field: str | None) -> str | None:
        if field in ("start", "end"):
            weekly = bool(self.cleaned_data.get("weekdays"))
            return f"{field}_time" if weekly else f"{field}_date"
        return field
