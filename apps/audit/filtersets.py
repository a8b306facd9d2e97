"""The audit log's filters: its admin page and /api/v1/audit."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.audit.models import AuditEntry

_PICKER = forms.DateTimeInput(attrs={"type": "datetime-local"})


class AuditEntryFilterSet(django_filters.FilterSet):
    kind = django_filters.CharFilter(label=_("Kind"), max_length=40)
    key = django_filters.CharFilter(label=_("Object"), max_length=255)
    actor = django_filters.CharFilter(label=_("Who"), max_length=255)
    channel = django_filters.ChoiceFilter(choices=AuditEntry.Channel.choices, label=_("Through"), empty_label=_("Any"))
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, label=_("Action"), empty_label=_("Any"))
    # ISO 8601 (2026-01-31T08:00, with or without a zone); the page's picker sends that form.
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label=_("Since"), widget=_PICKER)
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label=_("Until"), widget=_PICKER)

    class Meta:
        model = AuditEntry
        fields = ["kind", "key", "actor", "channel", "action", "since", "until"]
