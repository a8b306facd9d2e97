"""HTML forms for phones: create/edit (checked with the same service functions that create phones) and the
CSV import upload."""

from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.phones import services
from apps.phones.catalogue import CATALOGUE
from apps.phones.models import Phone, normalise_serial, validate_serial
from apps.users.forms import split_names


def grouped_model_choices() -> list:
    """The catalogue as <optgroup>s, one per vendor, in the catalogue's order."""
    by_vendor = groupby(CATALOGUE.values(), key=lambda m: m.vendor)
    choices = [
        (
            vendor,
            [
                (
                    m.id,
                    ngettext("%(model)s (%(n)s line)", "%(model)s (%(n)s lines)", m.lines)
                    % {"model": m.label, "n": m.lines},
                )
                for m in models
            ],
        )
        for vendor, models in by_vendor
    ]
    return [("", gettext("Choose a model"))] + choices


def all_versions() -> list[str]:
    return sorted({v for m in CATALOGUE.values() for v in m.versions})


class PhoneForm(forms.ModelForm):
    """Create or edit a phone. The serial number is typed once (read-only afterwards); the firmware version and
    the line users are checked by services (resolve_version, resolve_users) exactly as create_phone does."""

    # Longer than the stored 12 digits: "00:04:f2:aa:bb:cc" is normalised by clean_serial_number.
    serial_number = forms.CharField(
        label=_("Serial number (MAC address)"),
        max_length=32,
        help_text=_("12 hexadecimal digits; colons and dashes are dropped."),
    )
    model = forms.ChoiceField(label=_("Model"), choices=grouped_model_choices)
    version = forms.CharField(
        label=_("Firmware version"),
        required=False,
        max_length=32,
        help_text=_("A version of the model (e.g. 4.0.X); empty for the newest."),
        widget=forms.TextInput(attrs={"list": "phone-versions"}),
    )
    lines = forms.CharField(
        label=_("Line users"),
        required=False,
        help_text=_("User names or aliases, one per line of the phone in order, separated by commas."),
    )

    class Meta:
        model = Phone
        fields = ["serial_number", "model", "version", "description"]
        labels = {"description": _("Description")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["serial_number"].disabled = True
            self.fields["serial_number"].help_text = _("The serial number cannot be changed.")
            # The lines' users come from the edit view's queryset (prefetched).
            self.fields["lines"].initial = ", ".join(line.user.username for line in self.instance.lines.all())

    def clean_serial_number(self):
        if self.instance.pk:
            return self.instance.serial_number
        serial = normalise_serial(self.cleaned_data["serial_number"])
        validate_serial(serial)
        return serial

    def clean_lines(self):
        names = split_names(self.cleaned_data.get("lines", ""))
        services.resolve_users(names)
        return names

    def clean(self):
        cleaned = super().clean()
        model_id = cleaned.get("model")
        if model_id:
            model = CATALOGUE[model_id]
            try:
                cleaned["version"] = services.resolve_version(model_id, cleaned.get("version"))
            except ValidationError as exc:
                self.add_error("version", exc)
            names = cleaned.get("lines")
            if names is not None and len(names) > model.lines:
                self.add_error(
                    "lines",
                    gettext("%(model)s has %(lines)s lines, not %(count)s.")
                    % {"model": f"{model.vendor} {model.label}", "lines": model.lines, "count": len(names)},
                )
        return cleaned

    def phone_data(self) -> services.PhoneData:
        c = self.cleaned_data
        return services.PhoneData(
            serial_number=c["serial_number"],
            model=c["model"],
            description=c["description"],
            version=c["version"],
            lines=c["lines"],
        )

    def save(self, commit=True):
        """Edit only (new phones go through services.create_phone)."""
        return services.update_phone(self.instance, self.phone_data())


class PhoneImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One phone per row: serial, model, description, user (header row optional; user may be empty; "
            "commas or semicolons)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(
                gettext("The file is larger than %(mb)s MB: split it.") % {"mb": self.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    """The preview page's "Import" button: the token of the file it showed (sipxweb.uploads) and its name."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, required=False, widget=forms.HiddenInput)
