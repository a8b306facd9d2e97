"""FilterSets for conferences: one per listed model. `ConferenceFilterSet` is the admin list's filters
(GET /my/conferences takes no query filters: it is always the caller's rooms)."""

import django_filters

from apps.conferences.models import Conference
from apps.users.filtersets import YES_NO
from apps.users.lookup import find_user


class ConferenceFilterSet(django_filters.FilterSet):
    enabled = django_filters.BooleanFilter(label="Enabled", widget=YES_NO)
    owner = django_filters.CharFilter(
        method="filter_owner", label="Owner", max_length=255, help_text="User name, alias or IM id of the owner."
    )

    class Meta:
        model = Conference
        fields = ["enabled", "owner"]

    def filter_owner(self, queryset, name, value):
        # The user a typed name names, as everywhere (apps.users.lookup): an alias finds the same rooms.
        user = find_user(value.strip())
        if user is None:
            return queryset.none()
        return queryset.filter(owner=user)
