"""The portal's call box: the number as people type it, cleaned and checked by the rule of `PUT /my/call/{to}`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.callcontrol.services import BadParty, check_target


class CallBoxForm(forms.Form):
    number = forms.CharField(label=_("Number or user to call"), max_length=255)

    def clean_number(self):
        try:
            return check_target(self.cleaned_data["number"])
        except BadParty as exc:
            raise forms.ValidationError(str(exc)) from None
