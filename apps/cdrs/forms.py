"""Filters of the call history pages and the portal's call box."""

from django import forms

from apps.callcontrol.services import clean_target


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


class CallBoxForm(forms.Form):
    number = forms.CharField(label="Number or user to call", max_length=255)

    def clean_number(self):
        # People type "(555) 123-4567": the form also drops spaces (the REST URI keeps B.3.1's exact rule).
        target = clean_target("".join(self.cleaned_data["number"].split()))
        if target is None or len(target) > 150:
            raise forms.ValidationError("Enter a phone number or a user name (digits, letters, * # + are allowed).")
        return target
