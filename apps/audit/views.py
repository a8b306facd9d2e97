"""The audit log's admin page: every recorded change, newest first, filtered as /api/v1/audit filters it."""

from apps.audit.filtersets import AuditEntryFilterSet
from apps.audit.models import AuditEntry
from sipxweb.pages import AdminRequiredMixin, ListPage


class AuditEntryListView(AdminRequiredMixin, ListPage):
    queryset = AuditEntry.objects.order_by("-at", "-id")
    filterset_class = AuditEntryFilterSet
    search_fields = ("key", "actor", "address")
    template_name = "audit/entry_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset()
        # A filter that cannot be read (a date that is no date) lists nothing rather than everything: the page
        # shows why, next to the field.
        self.invalid = self.filterset.is_bound and not self.filterset.is_valid()
        return qs.none() if self.invalid else qs

    def render_to_response(self, context, **kwargs):
        return super().render_to_response(context, status=400 if self.invalid else 200, **kwargs)
