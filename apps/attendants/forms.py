"""HTML forms of the attendant editor: the attendant's fields with the prompt upload, and the menu as a
formset whose rows are checked one by one with services.validate_menu_item (errors next to their row);
services.save_attendant saves the attendant with its whole menu."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.attendants import services
from apps.attendants.models import AutoAttendant, MenuItem


class PromptField(forms.FileField):
    """The prompt upload: a recording made in the browser (the editor's recorder) is taken as its WAV, so that the
    prompt's check and the stored file are those of an uploaded WAV (services.prompt_file)."""

    def to_python(self, data):
        upload = super().to_python(data)
        return services.prompt_file(upload) if upload else upload


class AttendantForm(forms.ModelForm):
    prompt = PromptField(
        label=_("Prompt"),
        required=False,
        validators=[services.check_prompt],  # .wav or .mp3, at most 20 MB: the rule of every channel
        help_text=_("The greeting played to callers: a .wav or .mp3 file."),
        # A plain file input: the clearable one links to MEDIA_URL, which this site does not serve.
        widget=forms.FileInput(attrs={"accept": ".wav,.mp3,audio/wav,audio/mpeg"}),
    )
    remove_prompt = forms.BooleanField(label=_("Remove the current prompt"), required=False)

    class Meta:
        model = AutoAttendant
        fields = ["name", "description", "language", "prompt", "digit_timeout", "max_invalid", "on_failure"]
        help_texts = {"language": _("The language of the system prompts, e.g. en, de, fr.")}
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "language": _("Language"),
            "digit_timeout": _("Key timeout (seconds)"),
            "max_invalid": _("Tries"),
            "on_failure": _("After the last try"),
        }

    # The failure settings came after the editor's first version: a form (or a script) that leaves them out keeps
    # the attendant's current values, or the defaults for a new one, rather than failing as "required".
    KEEP_WHEN_BLANK = ("digit_timeout", "max_invalid", "on_failure")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_BLANK:
            self.fields[name].required = False

    def _kept(self, name):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value in (None, "") else value

    def clean_digit_timeout(self):
        return self._kept("digit_timeout")

    def clean_max_invalid(self):
        return self._kept("max_invalid")

    def clean_on_failure(self):
        return self._kept("on_failure")

    def clean(self):
        cleaned = super().clean()
        # Without a new upload the field's value is the current file: removing it takes the box.
        if cleaned.get("remove_prompt") and not self.files.get(self.add_prefix("prompt")):
            cleaned["prompt"] = False  # FileField: False clears the stored file name
        return cleaned


class MenuItemForm(forms.Form):
    """One menu row. A row left completely blank is no menu item (the spare rows, or a cleared row). "Another
    attendant" takes its target from the `attendant` select of attendant names (the page's script shows it instead
    of the text box for that action); a row posted without it (a script, a page without JavaScript that typed the
    name) keeps the typed parameter."""

    key = forms.ChoiceField(choices=[("", "—")] + [(k, k) for k in MenuItem.Key.values], required=False)
    action = forms.ChoiceField(choices=[("", _("Choose an action"))] + MenuItem.Action.choices, required=False)
    parameter = forms.CharField(max_length=255, required=False, widget=forms.TextInput(attrs={"size": 24}))
    # Text offered as a select: a name gone meanwhile is refused by services.validate_menu_item, next to the row.
    attendant = forms.CharField(
        label=_("Attendant"),
        required=False,
        widget=forms.Select(attrs={"data-for-action": MenuItem.Action.TRANSFER_TO_AA.value}),
    )

    def __init__(self, *args, attendant_names=None, **kwargs):
        self.attendant_names = attendant_names
        super().__init__(*args, **kwargs)
        names = sorted(attendant_names or (), key=str.casefold)
        self.fields["attendant"].widget.choices = [("", _("Choose an attendant")), *((n, n) for n in names if n)]
        if self.initial.get("action") == MenuItem.Action.TRANSFER_TO_AA:  # a stored row: its target in the select
            self.initial["attendant"], self.initial["parameter"] = self.initial.get("parameter", ""), ""

    def has_changed(self):
        return not self.is_blank()

    def is_blank(self) -> bool:
        return not any((self[name].value() or "").strip() for name in ("key", "action", "parameter", "attendant"))

    def clean(self):
        cleaned = super().clean()
        if self.is_blank() or self.errors:
            return cleaned
        key, action = cleaned.get("key"), cleaned.get("action")
        if action == MenuItem.Action.TRANSFER_TO_AA and cleaned.get("attendant"):
            cleaned["parameter"] = cleaned["attendant"]
        if not key:
            self.add_error("key", _("Choose a key."))
        if not action:
            self.add_error("action", _("Choose an action."))
        if key and action:
            try:
                services.validate_menu_item(key, action, cleaned.get("parameter", ""), self.attendant_names)
            except ValidationError as exc:
                self.add_error("parameter", exc)
        return cleaned


class BaseMenuFormSet(forms.BaseFormSet):
    def clean(self):
        seen = {}
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data") or form.is_blank():
                continue
            key = form.cleaned_data.get("key")
            if key and key in seen:
                form.add_error("key", _("Key %(key)s is already used in another row.") % {"key": key})
            seen.setdefault(key, form)

    def menu_items(self) -> list[tuple[str, str, str]]:
        """The (key, action, parameter) rows to save, in the order shown, blank and removed rows left out."""
        return [
            (f.cleaned_data["key"], f.cleaned_data["action"], f.cleaned_data.get("parameter", "").strip())
            for f in self.forms
            if not self._should_delete_form(f) and not f.is_blank()
        ]

    def form_for_key(self, key: str):
        for form in self.forms:
            if not self._should_delete_form(form) and not form.is_blank() and form.cleaned_data.get("key") == key:
                return form
        return None


MenuFormSet = forms.formset_factory(MenuItemForm, formset=BaseMenuFormSet, extra=3, can_delete=True, max_num=100)


class SpecialAttendantForm(forms.Form):
    attendant = forms.ModelChoiceField(
        queryset=AutoAttendant.objects.all(), required=False, empty_label=_("None"), label=_("Special attendant")
    )
