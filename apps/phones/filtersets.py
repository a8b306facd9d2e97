"""FilterSets for phones: one per model, shared by the HTML list and the API list (same query string, same rows)."""

import django_filters

from apps.phones.catalogue import MODEL_CHOICES
from apps.phones.models import Phone
from apps.users.models import LoginName


class PhoneFilterSet(django_filters.FilterSet):
    model = django_filters.ChoiceFilter(choices=MODEL_CHOICES, label="Model", empty_label="Any model")
    user = django_filters.CharFilter(method="filter_user", label="User", help_text="User name or alias of a line.")

    class Meta:
        model = Phone
        fields = ["model", "user"]

    def filter_user(self, queryset, name, value):
        # A user name or an alias (not an IM id): the phones that have a line registered as that user.
        users = LoginName.objects.filter(folded=value.strip().lower()).exclude(kind=LoginName.Kind.IM).values("user")
        return queryset.filter(pk__in=Phone.objects.filter(lines__user__in=users).values("pk"))
