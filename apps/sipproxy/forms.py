"""The routing preview's form (views.py): the number an admin wants to see the route of. Its shape is checked
by routing.route_for, the lookup Kamailio uses, so the page refuses exactly what the proxy's lookup refuses."""

from django import forms


class RoutingForm(forms.Form):
    to = forms.CharField(
        label="Dialled number",
        max_length=200,  # route_for says what is too long, in the same sentence Kamailio's lookup gets
        help_text="A user name, an alias, a conference or auto-attendant number — as a phone would dial it.",
    )
