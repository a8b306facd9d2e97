"""FilterSets for users and groups: one per listed model, used by their admin list pages (no REST URI lists users
or groups). YES_NO is the yes/no/any widget of every app's boolean filters."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.users.lookup import find_user
from apps.users.models import User, UserGroup

YES_NO = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class TypedUserFilter(django_filters.CharFilter):
    """A user typed by name (user name, alias or IM id: the one rule of apps.users.lookup); `rows(queryset, user)`
    narrows the list to that user's rows. A name that names no user lists nothing."""

    def __init__(self, rows, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)
        self.rows = rows

    def filter(self, queryset, value):
        if not value:
            return queryset
        user = find_user(value.strip())
        return queryset.none() if user is None else self.rows(queryset, user)


class UserFilterSet(django_filters.FilterSet):
    # What ?q= searches, on the user list page and in the admin JSON API.
    search_fields = ("username", "first_name", "last_name", "login_names__name")

    # By name, as the data file, the admin JSON API and the phonebook filters name groups (an id is never shown).
    group = django_filters.ModelChoiceFilter(
        field_name="groups",
        queryset=UserGroup.objects.all(),
        to_field_name="name",
        label=_("Group"),
        empty_label=_("Any group"),
    )
    permission = django_filters.ChoiceFilter(
        choices=[("voicemail", _("Voicemail")), ("attendant-admin", _("Attendant admin"))],
        method="filter_permission",
        label=_("Permission"),
        empty_label=_("Any permission"),
    )
    admin = django_filters.BooleanFilter(field_name="is_admin", label=_("Administrator"), widget=YES_NO)
    enabled = django_filters.BooleanFilter(field_name="is_active", label=_("Enabled"), widget=YES_NO)

    class Meta:
        model = User
        fields = ["group", "permission", "admin", "enabled"]

    def filter_permission(self, queryset, name, value):
        field = {"voicemail": "perm_voicemail", "attendant-admin": "perm_attendant_admin"}[value]
        return queryset.filter(**{field: True})


class UserGroupFilterSet(django_filters.FilterSet):
    """The groups a user is in: the user as typed (user name, alias or IM id, the one rule of apps.users.lookup)."""

    user = TypedUserFilter(
        lambda groups, user: groups.filter(pk__in=user.groups.values("pk")),
        label="Member",
        help_text="User name, alias or IM id of a member.",
    )

    class Meta:
        model = UserGroup
        fields = ["user"]
