"""FilterSets for voicemail. `MailboxFilterSet` is the admin's mailbox list (users with their message counts, the
page and /api/v1/mailboxes), `MessageFilterSet` the folder a mailbox page lists, `MailboxMessageFilterSet` a
mailbox's messages in the admin JSON API. The REST feed names its folder in the path
(GET /my/feed/voicemail/{folder}) and takes no query filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.users.filtersets import YES_NO
from apps.users.models import User
from apps.voicemail.models import Folder, Message


class MailboxFilterSet(django_filters.FilterSet):
    """Over users annotated with `unheard_count` (views.MailboxListView's queryset): who has new messages."""

    # What ?q= searches, on the mailbox list page and in the admin JSON API.
    search_fields = ("username", "first_name", "last_name")

    unheard = django_filters.BooleanFilter(method="filter_unheard", label=_("New in inbox"), widget=YES_NO)

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


class MailboxMessageFilterSet(django_filters.FilterSet):
    """A mailbox's messages in the admin JSON API: every folder unless `folder` names one; `heard` true or false
    (anything else is refused, not ignored)."""

    folder = django_filters.ChoiceFilter(choices=Folder.choices)
    heard = django_filters.ChoiceFilter(choices=[("true", "heard"), ("false", "not heard")], method="filter_heard")

    class Meta:
        model = Message
        fields = ["folder", "heard"]

    def filter_heard(self, queryset, name, value):
        return queryset.filter(heard=value == "true")
