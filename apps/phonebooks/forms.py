"""Forms of the phonebook pages (admin and portal)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.phonebooks.models import Phonebook, PhonebookEntry, PhonebookSettings
from apps.users import addressbook
from apps.users.models import UserGroup
from sipxweb.text import EMAIL

MAX_UPLOAD = 50 * 1024 * 1024


class PhonebookForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        queryset=UserGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Members"),
        help_text=_("The users of these groups are listed in the phonebook."),
    )
    consumers = forms.ModelMultipleChoiceField(
        queryset=UserGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Consumers"),
        help_text=_("The users of these groups see the phonebook."),
    )

    class Meta:
        model = Phonebook
        fields = ["name", "description", "members", "consumers"]
        labels = {"name": _("Name"), "description": _("Description")}

    def validate_unique(self):
        """A name another phonebook has is refused by services.save_phonebook, the one check (the view shows it)."""


class PhonebookSettingsForm(forms.ModelForm):
    class Meta:
        model = PhonebookSettings
        fields = ["everyone", "google_domain"]
        labels = {"everyone": _("Everyone phonebook"), "google_domain": _("Google domain")}
        help_texts = {"everyone": _("Every user sees all other users in their phonebook.")}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (sipXconfig, Outlook or Google Contacts export; commas or semicolons) or vCard 3.0/4.0."),
    )
    replace = forms.BooleanField(required=False, label=_("Replace the phonebook's imported entries"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB: split it into smaller files."))
        return upload


class PrivateImportForm(ImportForm):
    """The portal's import into the user's own private phonebook: it adds, it never replaces."""

    replace = None


# The parts of an address a vCard holds (the entry page asks for no office designation).
ADDRESS_PARTS = tuple(key for key, part in addressbook.ADDRESS_PARTS.items() if part.vcard)
# The address inputs' labels ("Home street"), each a whole phrase to translate.
ADDRESS_INPUT_LABELS = {
    "home_street": _("Home street"),
    "home_city": _("Home city"),
    "home_country": _("Home country"),
    "home_state": _("Home state"),
    "home_zip": _("Home zip"),
    "office_street": _("Office street"),
    "office_city": _("Office city"),
    "office_country": _("Office country"),
    "office_state": _("Office state"),
    "office_zip": _("Office zip"),
}
# The contact fields' labels (the model's names, to translate).
ENTRY_LABELS = {
    "job_title": _("Job title"),
    "job_dept": _("Department"),
    "company_name": _("Company name"),
    "assistant_name": _("Assistant name"),
    "location": _("Location"),
    "cell_phone_number": _("Cell phone number"),
    "home_phone_number": _("Home phone number"),
    "assistant_phone_number": _("Assistant phone number"),
    "fax_number": _("Fax number"),
    "did_number": _("DID number"),
    "im_id": _("IM id"),
    "im_display_name": _("IM display name"),
    "alternate_im_id": _("Alternate IM id"),
    "email_address": _("E-mail"),
    "alternate_email_address": _("Alternate e-mail"),
}


class EntryForm(forms.ModelForm):
    """A private phonebook entry with all its contact fields; addresses as separate inputs."""

    first_name = forms.CharField(label=_("First name"), max_length=255)
    last_name = forms.CharField(label=_("Last name"), max_length=255)
    number = forms.CharField(label=_("Number"), max_length=255)

    class Meta:
        model = PhonebookEntry
        # The addresses are separate inputs (see __init__), the other contact fields as the address book lists them.
        fields = [
            "first_name",
            "last_name",
            "number",
            *(f.model for f in addressbook.ENTRY_FIELDS if f.kind != addressbook.ADDRESS),
        ]
        labels = ENTRY_LABELS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix in ("home", "office"):
            current = getattr(self.instance, f"{prefix}_address", None) or {}
            for part in ADDRESS_PARTS:
                name = f"{prefix}_{part}"
                self.fields[name] = forms.CharField(
                    label=ADDRESS_INPUT_LABELS.get(name, f"{prefix.title()} {part}"),
                    max_length=255,
                    required=False,
                    initial=current.get(part, ""),
                )

    @property
    def fieldsets(self):
        names = [
            (_("Name and number"), ["first_name", "last_name", "number"]),
            (_("Work"), ["job_title", "job_dept", "company_name", "assistant_name", "location"]),
            (
                _("Phones"),
                ["cell_phone_number", "home_phone_number", "assistant_phone_number", "fax_number", "did_number"],
            ),
            (
                _("E-mail and IM"),
                ["email_address", "alternate_email_address", "im_id", "im_display_name", "alternate_im_id"],
            ),
            (_("Office address"), [f"office_{p}" for p in ADDRESS_PARTS]),
            (_("Home address"), [f"home_{p}" for p in ADDRESS_PARTS]),
        ]
        return [(title, [self[n] for n in fields]) for title, fields in names]

    def clean_email_address(self):
        value = self.cleaned_data.get("email_address")
        if value and not EMAIL.match(value):
            raise forms.ValidationError(_("Enter a valid e-mail address."))
        return value or None

    def entry_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) or None for name in self.Meta.fields}
        for name in ("first_name", "last_name", "number"):
            data[name] = self.cleaned_data[name].strip()
        for prefix in ("home", "office"):
            address = {p: self.cleaned_data.get(f"{prefix}_{p}") for p in ADDRESS_PARTS}
            data[f"{prefix}_address"] = {k: v for k, v in address.items() if v}
        return data


class SharedEntryForm(EntryForm):
    """An entry of a shared phonebook on the admin pages, by the rules of an imported entry: a number is needed,
    names are not (a file may hold a company's switchboard). What the form does not show (the internal id, an
    address's office designation) is kept as stored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = False
        self.fields["last_name"].required = False

    def entry_data(self) -> dict:
        data = super().entry_data()
        data["internal_id"] = self.instance.internal_id
        for prefix in ("home", "office"):
            stored = getattr(self.instance, f"{prefix}_address", None) or {}
            kept = {k: v for k, v in stored.items() if k not in ADDRESS_PARTS}
            data[f"{prefix}_address"] = {**kept, **data[f"{prefix}_address"]}
        return data


class ImportConfirmForm(forms.Form):
    """The preview page's "Import" button: the token of the file it showed (sipxweb.uploads), its name and the
    upload's choice to replace the imported entries."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=255, required=False, widget=forms.HiddenInput)
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)
