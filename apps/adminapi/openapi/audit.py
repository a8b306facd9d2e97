"""/api/v1/audit, a view of its own (apps/adminapi/resources/audit.py), described through drf-spectacular's view
extension with the same error bodies as the Resource viewsets."""

from drf_spectacular.extensions import OpenApiViewExtension

from apps.adminapi.openapi.lists import PAGE_PARAMETERS, filter_parameters, page_of
from apps.adminapi.openapi.operations import V1Schema, component

AUDIT_ENTRY = {
    "type": "object",
    "description": "A change to a stored object.",
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string", "description": "The user name of who made it (empty: the system)."},
        "channel": {"type": "string", "enum": ["api", "rest", "page", "import", "system"]},
        "address": {"type": "string", "description": "The client's address."},
        "kind": {"type": "string", "description": "user, group, token, phone, ..."},
        "key": {
            "type": "string",
            "description": "The object's key, as its /api/v1/ URL names it; an object inside another (a phonebook "
            'entry, an away period): "<owner\'s key>/<id>", the id all digits after the last "/" (the owner\'s key '
            'may hold "/" too).',
        },
        "action": {"type": "string", "enum": ["create", "update", "delete"]},
        "changes": {
            "type": "object",
            "description": "{field: [before, after]}; secrets masked.",
            "additionalProperties": {"type": "array", "items": {}, "minItems": 2, "maxItems": 2},
        },
    },
    "required": ["id", "at", "actor", "channel", "address", "kind", "key", "action", "changes"],
    "additionalProperties": False,
}
AUDIT_EXAMPLE = {
    "id": 12,
    "at": "2026-01-05T09:31:12+00:00",
    "actor": "superadmin",
    "channel": "api",
    "address": "192.0.2.10",
    "kind": "user",
    "key": "300",
    "action": "update",
    "changes": {"lastName": ["Zulu", "Young"]},
}


class AuditSchema(V1Schema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        self.start(path, path_regex, path_prefix, method, registry)
        if getattr(self.view, "action", None) != "list":
            return super().get_operation(path, path_regex, path_prefix, method, registry)
        from apps.audit.filtersets import AuditEntryFilterSet

        entry = component(registry, "AuditEntry", AUDIT_ENTRY)
        page = component(registry, "AuditEntryPage", page_of(entry, "A page of the audit log."))
        ok = {
            "description": "The audit log, newest first.",
            "content": {
                "application/json": {
                    "schema": page,
                    "example": {"count": 1, "next": None, "previous": None, "results": [AUDIT_EXAMPLE]},
                }
            },
        }
        return self.operation(
            "v1_audit_list",
            "Read the audit log",
            "Every change to a stored object, whoever made it and through whichever channel, newest first; "
            "filtered as the audit page filters it.",
            ["audit"],
            [*PAGE_PARAMETERS, *filter_parameters(AuditEntryFilterSet)],
            None,
            {"200": ok, **self.error_responses(("400", "401", "403", "429"))},
        )


class AuditViewDescription(OpenApiViewExtension):
    target_class = "apps.adminapi.resources.audit.AuditViewSet"

    def view_replacement(self):
        return type("AuditViewSet", (self.target_class,), {"schema": AuditSchema()})
