"""The drf-spectacular post-processing hook over every /api/v1/ operation (SPECTACULAR_SETTINGS names it through
the package: apps.adminapi.openapi.add_v1_error_responses)."""

from copy import deepcopy

from apps.adminapi.openapi.dialect import oas30
from apps.adminapi.openapi.error_bodies import ERROR, error_response


def add_v1_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every /api/v1/ operation documents the error body for the statuses any
    of them can answer (the views of other modules describe their successes with extend_schema; the errors come
    from the shared plumbing, apps/adminapi/base.py and errors.py)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("V1Error", deepcopy(ERROR))
    error_ref = {"$ref": "#/components/schemas/V1Error"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["400", "401", "403", "414", "429"]
            if "{" in path:
                statuses.append("404")
            if method in ("post", "put", "patch", "delete"):
                statuses += ["409", "412"]
            if "requestBody" in operation:
                statuses.append("413")
            _in_oas30(operation)
            if method == "get":
                _one_page(operation)
            responses = operation["responses"]
            for status in statuses:
                responses.setdefault(status, error_response(status, error_ref))
    return result


def _in_oas30(operation: dict) -> None:
    """The raw JSON Schemas that views of their own give drf-spectacular (a checker's `json_schema`), in OpenAPI
    3.0's dialect."""
    contents = [operation.get("requestBody", {}).get("content") or {}]
    contents += [(r.get("content") or {}) for r in operation.get("responses", {}).values() if isinstance(r, dict)]
    for content in contents:
        for media in content.values():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                media["schema"] = oas30(media["schema"])


PAGE_KEYS = {"count", "next", "previous", "results"}


def _is_page(schema) -> bool:
    return isinstance(schema, dict) and PAGE_KEYS <= set(schema.get("properties", {}))


def _one_page(operation: dict) -> None:
    """A list action that describes its page with a raw schema gets it wrapped by drf-spectacular once more: in an
    array (a `list` action is taken for a list of objects), or in the view's paginated envelope. The answer is the
    page itself."""
    for response in operation.get("responses", {}).values():
        media = ((response or {}).get("content") or {}).get("application/json") if isinstance(response, dict) else None
        schema = (media or {}).get("schema")
        if not isinstance(schema, dict):
            continue
        if schema.get("type") == "array" and _is_page(schema.get("items")):
            media["schema"] = schema["items"]
        elif _is_page(schema) and _is_page(schema["properties"]["results"].get("items")):
            media["schema"] = schema["properties"]["results"]["items"]
