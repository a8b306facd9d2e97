"""/api/v1/audit: the audit log, newest first, filtered as its admin page filters it."""

from rest_framework import viewsets

from apps.adminapi import base
from apps.audit.filtersets import AuditEntryFilterSet
from apps.audit.models import AuditEntry


def represent(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "channel": entry.channel,
        "address": entry.address,
        "kind": entry.kind,
        "key": entry.key,
        "action": entry.action,
        "changes": entry.changes,
    }


class AuditViewSet(base.ApiView, viewsets.ViewSet):
    pagination_class = base.Page

    def list(self, request):
        queryset = base.filtered(request, AuditEntry.objects.all(), AuditEntryFilterSet)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset.order_by("-at", "-id"), request, self)
        return paginator.get_paginated_response([represent(e) for e in rows])
