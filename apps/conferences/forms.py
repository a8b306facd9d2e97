"""Forms of the conference pages: each asks apps.conferences.services for its rules and saves through it."""

from django import forms
from django.core.exceptions import ValidationError

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


class ConferenceForm(_ThroughServices):
    """Admin: every field."""

    class Meta:
        model = Conference
        fields = ["name", "owner", *services.STORED]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = self.fields["owner"].queryset.order_by("username")


class OwnerConferenceForm(_ThroughServices):
    """Portal: the owner changes the description and the codes."""

    class Meta:
        model = Conference
        fields = list(services.NULLABLE_TEXT)
