"""The routing pages' forms (views.py). The routing preview's: the number an admin wants to see the route of;
its shape is checked by routing.route_for, the lookup Kamailio uses, so the page refuses exactly what the
proxy's lookup refuses. The dial plan's: its two lists of numbers."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class RoutingForm(forms.Form):
    to = forms.CharField(
        label=_("Dialled number"),
        max_length=200,  # route_for says what is too long, in the same sentence Kamailio's lookup gets
        help_text=_("A user name, an alias, a conference or auto-attendant number — as a phone would dial it."),
    )


class DialPlanForm(forms.Form):
    """The dial plan's service numbers (dialplan_services.py holds their rules and shows its sentence at the field
    of the refused list). Numbers are typed separated by spaces or commas, which no number contains."""

    attendant = forms.CharField(
        label=_("Auto-attendant numbers"),
        required=False,
        max_length=2000,
        help_text=_(
            "They reach the auto-attendant that plays now: the operator attendant, or the special attendant "
            "while special mode is on. Separated by spaces or commas, e.g. 100, operator, 0."
        ),
    )
    voicemail = forms.CharField(
        label=_("Voicemail numbers"),
        required=False,
        max_length=2000,
        help_text=_("They reach voicemail retrieval (the caller's own mailbox). Separated by spaces or commas."),
    )

    @staticmethod
    def numbers(text: str) -> list[str]:
        return [number for number in re.split(r"[\s,]+", text) if number]
