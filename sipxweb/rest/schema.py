"""How the REST API describes itself in OpenAPI (drf-spectacular): the Basic and Digest
authentication schemes, and the D1 error body. drf-spectacular finds extension classes when this module
is imported; sipxweb/urls.py imports it next to the schema view."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "sipxweb.rest.authentication.BasicAuthentication"
    name = "basic"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Login name (user name, alias or IM id) and portal PIN.",
        }


class DigestScheme(OpenApiAuthenticationExtension):
    target_class = "sipxweb.rest.authentication.DigestAuthentication"
    name = "digest"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "digest", "description": "MD5, qop=auth; realm = the SIP realm."}


ERROR_BODY = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "type": {"type": "string"}},
    "required": ["error", "type"],
}


ERRORS = {
    "400": "Bad body or value (D1)",
    "401": "No or wrong credentials: Digest and Basic challenges",
    "403": "The caller's role may not use this URI",
    "404": "Unknown object",
    "405": "Method not allowed",
    "406": "No variant fits the Accept header",
    "429": "Too many failed logins from this address (D7)",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every REST operation documents the D1 error bodies."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/sipxconfig/rest/"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status == "400" and method not in ("put", "post"):
                    continue
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}
                )
    return result
