"""FilterSets for conferences: one per listed model. `ConferenceFilterSet` is the admin list's filters
(GET /my/conferences takes no query filters: it is always the caller's rooms)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.conferences.models import Conference
from apps.users.filtersets import YES_NO, TypedUserFilter


class ConferenceFilterSet(django_filters.FilterSet):
    enabled = django_filters.BooleanFilter(label=_("Enabled"), widget=YES_NO)
    owner = TypedUserFilter(
        lambda rooms, user: rooms.filter(owner=user),
        label=_("Owner"),
        help_text=_("User name, alias or IM id of the owner."),
    )

    # The list page's search box and the admin JSON API's ?q= (sipxweb/pages.py search()).
    search_fields = ("name", "description", "extension", "owner__username")

    class Meta:
        model = Conference
        fields = ["enabled", "owner"]
