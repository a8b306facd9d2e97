"""The forms of the admin's provisioning pages. They only read what was typed: the rules are the services' (a phone:
`apps.phones.services.create_phone`; a firmware image: `firmware.upload`), whose refusals the views show."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.phones.catalogue import CATALOGUE
from apps.phones.forms import all_versions, grouped_model_choices
from apps.users.forms import split_names


class AdoptForm(forms.Form):
    """An unknown phone becomes a phone: its model (the guess, editable), line users, description."""

    model = forms.ChoiceField(label=_("Model"), choices=grouped_model_choices)
    lines = forms.CharField(
        label=_("Line users"),
        required=False,
        max_length=1000,
        help_text=_("User names or aliases, separated by commas."),
        widget=forms.TextInput(attrs={"placeholder": _("line users, e.g. alice")}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=255)

    def clean_lines(self):
        return split_names(self.cleaned_data.get("lines", ""))


def firmware_model_choices() -> list:
    """The models sipxweb writes files for (only their files can point at an image), by vendor."""
    choices: dict[str, list] = {}
    for model in CATALOGUE.values():
        if model.family and model.versions:
            choices.setdefault(model.vendor, []).append((model.id, model.label))
    return [("", gettext("Choose a model")), *choices.items()]


class FirmwareForm(forms.Form):
    model = forms.ChoiceField(label=_("Model"), choices=firmware_model_choices)
    version = forms.CharField(
        label=_("Firmware version"),
        max_length=32,
        help_text=_("One of the model's versions, as phones are given it (e.g. V86, 4.0.X)."),
        widget=forms.TextInput(attrs={"list": "firmware-versions"}),
    )
    file = forms.FileField(label=_("Firmware image"))

    @staticmethod
    def versions() -> list[str]:
        return all_versions()
