"""The parts every hand-built /api/v1/ operation shares: components named V1..., the error responses, and the
operation object itself (`V1Schema`, the base of the Resource, token and audit descriptions)."""

from copy import deepcopy
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent

from apps.adminapi.openapi.error_bodies import ERROR, error_response


def component(registry, name: str, schema: dict) -> dict:
    """Registers a schema component of the admin JSON API (names start with V1: the sipXconfig URIs' serializers
    have components of their own, some with the same nouns) and returns its $ref."""
    resolved = ResolvedComponent(
        name=f"V1{name}",
        type=ResolvedComponent.SCHEMA,
        object=ComponentIdentity(f"adminapi:{name}"),
        # a copy: drf-spectacular's hooks rewrite components in place (enums become components of their own)
        schema=deepcopy(schema),
    )
    registry.register_on_missing(resolved)
    return resolved.ref


class V1Schema(AutoSchema):
    """The parts every hand-built /api/v1/ operation shares."""

    def error_responses(self, statuses) -> dict:
        error_ref = component(self.registry, "Error", ERROR)
        return {status: error_response(status, error_ref) for status in statuses}

    def operation(
        self, operation_id, summary, description, tags, parameters, request_body, responses
    ) -> dict[str, Any]:
        operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "description": description}
        if parameters:
            operation["parameters"] = parameters
        operation["tags"] = tags
        if request_body:
            operation["requestBody"] = request_body
        auth = self.get_auth()
        if auth:
            operation["security"] = auth
        operation["responses"] = responses
        return operation

    def start(self, path, path_regex, path_prefix, method, registry):
        self.registry = registry
        self.path = path
        self.path_regex = path_regex
        self.path_prefix = path_prefix
        self.method = method.upper()
