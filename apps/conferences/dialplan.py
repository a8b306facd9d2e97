"""The conferences' part of the dial plan (sipxweb/dialplan.py, settings.DIALPLAN_OWNERS): their extensions."""

from django.db.models.functions import Lower
from django.utils.translation import gettext_noop

from apps.conferences.models import Conference
from sipxweb.dialplan import Owner


def owner_of(folded_names: set[str]) -> dict[str, Owner]:
    rows = (
        Conference.objects.annotate(folded=Lower("extension"))
        .filter(folded__in=folded_names)
        .values_list("folded", "name", "extension")
    )
    return {
        folded: Owner("conferences", name, extension, gettext_noop("the extension of a conference"))
        for folded, name, extension in rows
    }
