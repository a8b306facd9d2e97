"""The examples of a Resource's operations, made from its checker: the data file's defaults, the per-resource
hints (per_resource.EXAMPLE_VALUES or the resource's own `example`), and for a required value without either, a
`sample()` that its schema accepts."""

import re
from typing import Any

from apps.adminapi.openapi.dialect import SUBSCHEMA_LISTS
from apps.adminapi.openapi.per_resource import EXAMPLE_VALUES
from apps.pbxdata.schema import REQUIRED, complete

# A pattern-bound string's example: the first of these that fits.
_CANDIDATES = (
    "300",
    "example",
    "Example",
    "0004f2a1b2c3",
    "000000000000",
    "sip:300@example.org",
    "300@example.org",
    "+15551234567",
    "1",
    "a",
    "A",
    "12:00",
    "2026-01-05",
)


def _matching(schema: dict) -> str:
    pattern = schema.get("pattern")
    low, high = schema.get("minLength", 0), schema.get("maxLength", 10**6)
    for candidate in _CANDIDATES if pattern else ("example",):
        if low <= len(candidate) <= high and (not pattern or re.search(pattern, candidate)):
            return candidate
    return "x" * max(low, 1)


def sample(schema: Any) -> Any:
    """A value that `schema` accepts (best effort: patterns are met from a list of candidates)."""
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next((v for v in schema["enum"] if v is not None), None)
    for key in SUBSCHEMA_LISTS:
        if schema.get(key):
            branches = [b for b in schema[key] if b.get("type") != "null"] or schema[key]
            return sample(branches[0])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {k: sample(v) for k, v in schema.get("properties", {}).items() if k in required}
    if kind == "array":
        return [sample(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return _matching(schema)
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        return max(low, min(1, schema.get("maximum", 1)))
    if kind == "boolean":
        return False
    return None


def _next_key(value):
    if isinstance(value, str) and value.isdigit():
        return str(int(value) + 1)
    if isinstance(value, int):
        return value + 1
    return f"{value}2" if isinstance(value, str) else value


class Examples:
    """The examples of one resource: its representation (the data file's defaults, the hints above), the smallest
    body that creates it, a bulk body of two, and a change."""

    def __init__(self, resource):
        self.resource = resource
        body = resource.body_schema(creating=True)
        hints = {**EXAMPLE_VALUES.get(resource.name, {}), **(getattr(resource, "example", None) or {})}
        given = {}
        for key, (_checker, default) in resource.fields.items():
            if key in hints:
                given[key] = hints[key]
            elif default is REQUIRED:
                given[key] = sample(body["properties"].get(key, {}))
        self.representation = {
            key: complete(resource.fields[key][0], given[key] if key in given else _default(resource.fields[key][1]))
            for key in resource.shown
        }
        required = set(body.get("required", [])) | {resource.key}
        self.create = {k: v for k, v in given.items() if k in resource.accepted and (k in required or k in hints)}
        second = {**self.create, resource.key: _next_key(self.create.get(resource.key))}
        self.bulk = [self.create, second]
        key_value = self.representation.get(resource.key)
        self.key = key_value
        self.change = next(
            (
                {k: "Changed"}
                for k, v in self.representation.items()
                if k != resource.key and isinstance(v, str) and k in resource.accepted
            ),
            {},
        )


def _default(default):
    if default is REQUIRED:
        return None
    return default() if callable(default) else default
