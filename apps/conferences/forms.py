"""Forms of the conference pages: each asks apps.conferences.services for its rules and saves through it."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.conferences import services
from apps.conferences.models import Conference


class _ThroughServices(forms.ModelForm):
    """After the model form has filled the instance, the services' rules decide (the data file asks the same);
    saving goes through services.save_conference."""

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                services.check_conference(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)

    def validate_unique(self):
        pass  # names and extensions: services.check_conference (extensions ignore case, which the model cannot say)

    def save(self, commit=True):
        return services.save_conference(self.instance) if commit else self.instance


# The fields' labels and help (the model's names, to translate).
LABELS = {
    "name": _("Name"),
    "owner": _("Owner"),
    "description": _("Description"),
    "extension": _("Extension"),
    "enabled": _("Enabled"),
    "access_code": _("Participant access code"),
    "moderator_code": _("Moderator code"),
    "max_participants": _("Maximum participants"),
    "auto_record": _("Record automatically"),
}
HELP_TEXTS = {"max_participants": _("0 means no limit.")}


class ConferenceForm(_ThroughServices):
    """Admin: every field."""

    class Meta:
        model = Conference
        fields = ["name", "owner", *services.STORED]
        labels = LABELS
        help_texts = HELP_TEXTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = self.fields["owner"].queryset.order_by("username")
        # Django 6.1's blank choice ("- Select an option -") is not in its German catalogue yet: our own words.
        self.fields["owner"].empty_label = _("Choose an owner")


class OwnerConferenceForm(_ThroughServices):
    """Portal: the owner changes the description and the codes."""

    class Meta:
        model = Conference
        fields = list(services.NULLABLE_TEXT)
        labels = LABELS
        help_texts = HELP_TEXTS
