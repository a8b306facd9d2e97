"""`Authorization: Bearer <token>` as an OpenAPI security scheme (drf-spectacular finds the extension by its
target class, apps.users.tokens.BearerAuthentication, once this module is imported: the package does that)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "apps.users.tokens.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (POST /api/v1/tokens with the user's PIN, or the token pages): an "
            "administrator's token reaches /api/v1/, any user's token their own /my URIs.",
        }
