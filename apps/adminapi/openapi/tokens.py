"""/api/v1/tokens, a view of its own (apps/adminapi/resources/tokens.py), described through drf-spectacular's view
extension with the same error bodies as the Resource viewsets."""

from drf_spectacular.extensions import OpenApiViewExtension

from apps.adminapi.openapi.lists import PAGE_PARAMETERS, page_of
from apps.adminapi.openapi.operations import V1Schema, component
from sipxweb.text import STORABLE_TEXT_PATTERN

NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}

TOKEN = {
    "type": "object",
    "description": "An API token (never the token itself, which is shown once, when it is created).",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "scope": {"type": "string", "enum": ["read", "write"]},
        "user": {"type": "string", "description": "The user name of the token's user."},
        "created": {"type": "string", "format": "date-time"},
        "expires": NULLABLE_TIME,
        "lastUsed": {**NULLABLE_TIME, "description": "Within a minute."},
        "revoked": NULLABLE_TIME,
    },
    "required": ["id", "name", "scope", "user", "created", "expires", "lastUsed", "revoked"],
    "additionalProperties": False,
}
TOKEN_EXAMPLE = {
    "id": 7,
    "name": "crm sync",
    "scope": "write",
    "user": "superadmin",
    "created": "2026-01-05T09:30:00+00:00",
    "expires": None,
    "lastUsed": "2026-01-05T09:31:12+00:00",
    "revoked": None,
}
NEW_TOKEN = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": STORABLE_TEXT_PATTERN},
        "scope": {"type": "string", "enum": ["read", "write"], "default": "read"},
        "expires": {**NULLABLE_TIME, "description": "ISO 8601 with a time zone, in the future; null: never."},
    },
    "required": ["name"],
    "additionalProperties": False,
}
CREATED_TOKEN = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "scope": {"type": "string", "enum": ["read", "write"]},
        "expires": NULLABLE_TIME,
        "token": {"type": "string", "description": "The token: shown this once, never stored."},
    },
    "required": ["id", "name", "scope", "expires", "token"],
    "additionalProperties": False,
}


class TokenSchema(V1Schema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        self.start(path, path_regex, path_prefix, method, registry)
        action = getattr(self.view, "action", None)
        token = component(registry, "Token", TOKEN)
        id_parameter = {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}, "example": 7}
        tags = ["tokens"]
        if action == "list":
            page = component(registry, "TokenPage", page_of(token, "A page of tokens."))
            ok = {
                "description": "The caller's tokens (an administrator's: everyone's), newest first.",
                "content": {
                    "application/json": {
                        "schema": page,
                        "example": {"count": 1, "next": None, "previous": None, "results": [TOKEN_EXAMPLE]},
                    }
                },
                "links": {
                    "retrieve-token": {
                        "operationId": "v1_tokens_retrieve",
                        "parameters": {"id": "$response.body#/results/0/id"},
                    }
                },
            }
            return self.operation(
                "v1_tokens_list",
                "List tokens",
                "The caller's API tokens; an administrator sees every user's.",
                tags,
                PAGE_PARAMETERS,
                None,
                {"200": ok, **self.error_responses(("401", "403", "429"))},
            )
        if action == "create":
            created = {
                "description": "Created: the token itself is in `token`, shown this once.",
                "content": {
                    "application/json": {
                        "schema": component(registry, "CreatedToken", CREATED_TOKEN),
                        "example": {
                            "id": 7,
                            "name": "crm sync",
                            "scope": "write",
                            "expires": None,
                            "token": "sxw_3q2-7wZx0bY5rVdPn1cX9sLhT4uKf8mEaGjB6oQyWiU",
                        },
                    }
                },
                "links": {
                    "retrieve-token": {"operationId": "v1_tokens_retrieve", "parameters": {"id": "$response.body#/id"}},
                    "revoke-token": {"operationId": "v1_tokens_destroy", "parameters": {"id": "$response.body#/id"}},
                },
            }
            body = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": component(registry, "TokenNew", NEW_TOKEN),
                        "example": {"name": "crm sync", "scope": "write"},
                    }
                },
            }
            return self.operation(
                "v1_tokens_create",
                "Create a token",
                "Authenticate with the user's PIN (Basic or Digest) or the browser session: a token cannot create "
                "tokens (403). The token acts as its user; a read token only reads.",
                tags,
                [],
                body,
                {"201": created, **self.error_responses(("400", "401", "403", "429"))},
            )
        if action == "retrieve":
            ok = {
                "description": "The token.",
                "content": {"application/json": {"schema": token, "example": TOKEN_EXAMPLE}},
            }
            return self.operation(
                "v1_tokens_retrieve",
                "Read a token",
                "One of the caller's tokens (an administrator: anyone's).",
                tags,
                [id_parameter],
                None,
                {"200": ok, **self.error_responses(("401", "403", "404", "429"))},
            )
        if action == "destroy":
            return self.operation(
                "v1_tokens_destroy",
                "Revoke a token",
                "The token stops working at once; it stays listed with its revocation time.",
                tags,
                [id_parameter],
                None,
                {"204": {"description": "Revoked."}, **self.error_responses(("401", "403", "404", "429"))},
            )
        return super().get_operation(path, path_regex, path_prefix, method, registry)


class TokenViewDescription(OpenApiViewExtension):
    target_class = "apps.adminapi.resources.tokens.TokenViewSet"

    def view_replacement(self):
        return type("TokenViewSet", (self.target_class,), {"schema": TokenSchema()})
