"""The portal's call box: the number as people type it, cleaned by the same rule as `PUT /my/call/{to}`."""

from django import forms

from apps.callcontrol.services import clean_target


class CallBoxForm(forms.Form):
    number = forms.CharField(label="Number or user to call", max_length=255)

    def clean_number(self):
        # People type "(555) 123-4567": the form also drops spaces (the REST URI keeps B.3.1's exact rule).
        target = clean_target("".join(self.cleaned_data["number"].split()))
        if target is None or len(target) > 150:
            raise forms.ValidationError("Enter a phone number or a user name (digits, letters, * # + are allowed).")
        return target
