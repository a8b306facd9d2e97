"""The admin's form of the provisioning credential; the rule is services.check_credential's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.provisioning import services


class CredentialForm(forms.Form):
    user = forms.CharField(label=_("User name"), max_length=64, strip=False)
    password = forms.CharField(
        label=_("Password"),
        max_length=255,
        strip=False,
        help_text=_("At least 8 characters. Shown here because every phone is configured with it."),
    )

    def clean(self):
        data = super().clean()
        if "user" in data and "password" in data:
            try:
                services.check_credential(data["user"], data["password"])
            except services.ProvisioningError as exc:
                self.add_error(exc.field, exc.messages)
        return data
