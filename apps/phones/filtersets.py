"""FilterSets for phones: one per model, shared by the HTML list and the API list (same query string, same rows)."""

import django_filters

from apps.phones.catalogue import MODEL_CHOICES
from apps.phones.models import Phone
from apps.users.filtersets import TypedUserFilter


class PhoneFilterSet(django_filters.FilterSet):
    model = django_filters.ChoiceFilter(choices=MODEL_CHOICES, label="Model", empty_label="Any model")
    user = TypedUserFilter(
        lambda phones, user: phones.filter(pk__in=Phone.objects.filter(lines__user=user).values("pk")),
        label="User",
        help_text="User name, alias or IM id of a line's user.",
    )

    # The list page's search box and the admin JSON API's ?q= (sipxweb/pages.py search()).
    search_fields = ("serial_number", "description")

    class Meta:
        model = Phone
        fields = ["model", "user"]
