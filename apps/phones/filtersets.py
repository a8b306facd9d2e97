"""FilterSets for phones: one per model, shared by the HTML list and the API list (same query string, same rows)."""

import django_filters

from apps.phones.catalogue import MODEL_CHOICES
from apps.phones.models import Phone
from apps.users.lookup import find_user


class PhoneFilterSet(django_filters.FilterSet):
    model = django_filters.ChoiceFilter(choices=MODEL_CHOICES, label="Model", empty_label="Any model")
    user = django_filters.CharFilter(
        method="filter_user", label="User", help_text="User name, alias or IM id of a line's user."
    )

    class Meta:
        model = Phone
        fields = ["model", "user"]

    def filter_user(self, queryset, name, value):
        # The user a typed name names, as everywhere (apps.users.lookup): the phones with a line of that user.
        user = find_user(value.strip())
        if user is None:
            return queryset.none()
        return queryset.filter(pk__in=Phone.objects.filter(lines__user=user).values("pk"))
