"""Conference rules shared by the pages, the REST view and the PBX data file."""

from django.core.exceptions import ValidationError

from apps.conferences.models import Conference
from sipxweb import dialplan


def validate_extension(extension: str, conference: Conference | None = None) -> None:
    """An extension is unique among conferences and must not be any other app's dialable name, a user's name or
    alias (calls to it would be ambiguous)."""
    others = Conference.objects.filter(extension__iexact=extension)
    if conference is not None and conference.pk:
        others = others.exclude(pk=conference.pk)
    if others.exists():
        raise ValidationError({"extension": f'Extension "{extension}" belongs to another conference.'})
    elsewhere = dialplan.held_elsewhere([extension], "conferences")
    if elsewhere:
        raise ValidationError({"extension": f'Extension "{extension}" is {elsewhere[extension.lower()].what}.'})


def owned_by(user):
    """The user's conferences in wire order (by name)."""
    return Conference.objects.filter(owner=user).order_by("name")
