"""Conference rules shared by the pages, the REST view and the PBX data file."""

from django.core.exceptions import ValidationError

from apps.conferences.models import Conference
from apps.users.services import name_taken


def validate_extension(extension: str, conference: Conference | None = None) -> None:
    """An extension is unique among conferences and must not be any user's name or alias (calls to it would
    be ambiguous)."""
    others = Conference.objects.filter(extension__iexact=extension)
    if conference is not None and conference.pk:
        others = others.exclude(pk=conference.pk)
    if others.exists():
        raise ValidationError({"extension": f'Extension "{extension}" belongs to another conference.'})
    if name_taken(extension):
        raise ValidationError({"extension": f'Extension "{extension}" is a user name or alias.'})


def owned_by(user):
    """The user's conferences in wire order (by name)."""
    return Conference.objects.filter(owner=user).order_by("name")
