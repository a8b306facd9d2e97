"""FilterSets for users: one per model, shared by the HTML list and the API list (same query string, same rows)."""

import django_filters
from django import forms

from apps.users.models import User, UserGroup

YES_NO = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class UserFilterSet(django_filters.FilterSet):
    group = django_filters.ModelChoiceFilter(
        field_name="groups", queryset=UserGroup.objects.all(), label="Group", empty_label="Any group"
    )
    permission = django_filters.ChoiceFilter(
        choices=[("voicemail", "Voicemail"), ("attendant-admin", "Attendant admin")],
        method="filter_permission",
        label="Permission",
        empty_label="Any permission",
    )
    admin = django_filters.BooleanFilter(field_name="is_admin", label="Administrator", widget=YES_NO)
    enabled = django_filters.BooleanFilter(field_name="is_active", label="Enabled", widget=YES_NO)

    class Meta:
        model = User
        fields = ["group", "permission", "admin", "enabled"]

    def filter_permission(self, queryset, name, value):
        field = {"voicemail": "perm_voicemail", "attendant-admin": "perm_attendant_admin"}[value]
        return queryset.filter(**{field: True})


class UserGroupFilterSet(django_filters.FilterSet):
    class Meta:
        model = UserGroup
        fields: list[str] = []
