"""FilterSets for auto-attendants: one per listed model. `AutoAttendantFilterSet` is the `/attendants/` list's
filters and search, and those of /api/v1/attendants (GET /auto-attendant takes no query filters: sipXconfig's
clients always get every attendant)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.attendants.models import AutoAttendant, MenuItem


class AutoAttendantFilterSet(django_filters.FilterSet):
    # The list page's search box and the admin JSON API's ?q= (apps/adminapi/resources/attendants.py).
    search_fields = ("name", "description")

    action = django_filters.ChoiceFilter(
        choices=MenuItem.Action.choices,
        method="filter_action",
        label=_("Menu action"),
        empty_label=_("Any action"),
        help_text=_("Attendants with a menu key that does this."),
    )

    class Meta:
        model = AutoAttendant
        fields = ["action"]

    def filter_action(self, queryset, name, value):
        # Through the ids: a join on the menu would change the list's menu-key counts.
        return queryset.filter(pk__in=MenuItem.objects.filter(action=value).values("attendant"))
