"""FilterSets for voicemail: one per listed model. `MailboxFilterSet` is the admin's mailbox list (users with their
message counts), `MessageFilterSet` the folder a mailbox page lists. The REST feed names its folder in the path
(GET /my/feed/voicemail/{folder}) and takes no query filters."""

import django_filters

from apps.users.filtersets import YES_NO
from apps.users.models import User
from apps.voicemail.models import Folder, Message


class MailboxFilterSet(django_filters.FilterSet):
    """Over users annotated with `unheard_count` (views.MailboxListView's queryset): who has new messages."""

    unheard = django_filters.BooleanFilter(method="filter_unheard", label="New in inbox", widget=YES_NO)

    class Meta:
        model = User
        fields = ["unheard"]

    def filter_unheard(self, queryset, name, value):
        return queryset.filter(unheard_count__gt=0) if value else queryset.filter(unheard_count=0)


class MessageFilterSet(django_filters.FilterSet):
    """One folder of a mailbox; the folder is required (an unknown or empty one is no page: the view's 404)."""

    folder = django_filters.ChoiceFilter(choices=Folder.choices, required=True)

    class Meta:
        model = Message
        fields = ["folder"]
