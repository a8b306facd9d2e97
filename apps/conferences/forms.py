"""Forms of the conference pages."""

from django import forms
from django.core.exceptions import ValidationError

from apps.conferences import services
from apps.conferences.models import Conference


class _NullableText:
    """Empty text fields are stored as None ("not set", omitted on the wire)."""

    nullable = ("description", "access_code", "moderator_code")

    def clean(self):
        data = super().clean()
        for name in self.nullable:
            if name in data and not data[name]:
                data[name] = None
        return data


class ConferenceForm(_NullableText, forms.ModelForm):
    """Admin: every field."""

    class Meta:
        model = Conference
        fields = [
            "name",
            "owner",
            "description",
            "extension",
            "enabled",
            "access_code",
            "moderator_code",
            "max_participants",
            "auto_record",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = self.fields["owner"].queryset.order_by("username")

    def clean(self):
        data = super().clean()
        extension = data.get("extension")
        if extension:
            try:
                services.validate_extension(extension, self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class OwnerConferenceForm(_NullableText, forms.ModelForm):
    """Portal: the owner changes the description and the codes."""

    class Meta:
        model = Conference
        fields = ["description", "access_code", "moderator_code"]
