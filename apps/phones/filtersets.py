"""FilterSets for phones: one per model, shared by the HTML list and the API list (same query string, same rows)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.phones.catalogue import MODEL_CHOICES
from apps.phones.models import Phone
from apps.users.filtersets import TypedUserFilter


class PhoneFilterSet(django_filters.FilterSet):
    model = django_filters.ChoiceFilter(choices=MODEL_CHOICES, label=_("Model"), empty_label=_("Any model"))
    user = TypedUserFilter(
        lambda phones, user: phones.filter(pk__in=Phone.objects.filter(lines__user=user).values("pk")),
        label=_("User"),
        help_text=_("User name, alias or IM id of a line's user."),
    )

    # The list page's search box and the admin JSON API's ?q= (sipxweb/pages.py search()).
    search_fields = ("serial_number", "description")

    class Meta:
        model = Phone
        fields = ["model", "user"]
