"""Filters of the call history pages."""

from django import forms


class CdrFilterForm(forms.Form):
    start = forms.DateField(required=False, label="From (date)", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To (date, inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(required=False, label="User", max_length=255)
    direction = forms.ChoiceField(
        required=False, choices=[("", "both"), ("out", "made by the user"), ("in", "received by the user")]
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date must not be after the end date.")
        return data
