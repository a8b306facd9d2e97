"""JSON Schema -> OpenAPI 3.0. The PBX data file's checkers describe themselves in JSON Schema
(apps/pbxdata/schema.py, draft 2020 style); the description is OpenAPI 3.0, so `anyOf [X, null]` becomes `nullable`
and `const` a one-value `enum` (`oas30`). Also the two rewrites of a checker's schema that the Resource description
applies: every key present at every depth (`whole`), and the storable-text rule on request strings (`storable`)."""

from typing import Any

from sipxweb.text import STORABLE_TEXT_PATTERN

SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf")


def oas30(schema: Any) -> Any:
    """A JSON Schema (draft 2020 style, as the checkers write it) in OpenAPI 3.0's dialect."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {name: oas30(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = oas30(value)
        elif key in SUBSCHEMA_LISTS:
            out[key] = [oas30(sub) for sub in value]
        else:
            out[key] = value
    if "const" in out:
        out["enum"] = [out.pop("const")]
    kind = out.get("type")
    if isinstance(kind, list):
        others = [k for k in kind if k != "null"]
        if len(others) < len(kind):
            out["nullable"] = True
        if len(others) == 1:
            out["type"] = others[0]
        else:
            out.pop("type")
            out["anyOf"] = [{"type": k} for k in others]
    elif kind == "null":
        out.pop("type")
        out.update(nullable=True, enum=[None])
    for key in ("anyOf", "oneOf"):
        branches = out.get(key)
        if branches is None:
            continue
        solid = [b for b in branches if b != {"nullable": True, "enum": [None]}]
        if len(solid) < len(branches):
            out["nullable"] = True
            if len(solid) == 1:
                del out[key]
                out = {**solid[0], **out}
                out.pop(key, None)
                if "enum" in out and None not in out["enum"]:
                    out["enum"] = [*out["enum"], None]
            else:
                out[key] = solid
    if "enum" in out and None in out["enum"]:
        out["nullable"] = True
    return out


def whole(schema: Any) -> Any:
    """The representation's schema at every depth: `complete()` fills every key of every object of the data file,
    so each of them is present in what a client reads."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {name: whole(sub) for name, sub in out["properties"].items()}
        if out.get("additionalProperties") is False:
            out["required"] = list(out["properties"])
    if isinstance(out.get("items"), dict):
        out["items"] = whole(out["items"])
    for key in SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [whole(sub) for sub in out[key]]
    return out


def storable(schema: Any) -> Any:
    """Request strings carry the storable-text rule (no NUL, no lone surrogate: sipxweb.text, which every checker
    applies), as the sipXconfig URIs' bodies do (sipxweb.rest.schema.storable_text)."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if out.get("type") == "string" and not {"pattern", "format", "enum"} & set(out):
        out["pattern"] = STORABLE_TEXT_PATTERN
    if "properties" in out:
        out["properties"] = {name: storable(sub) for name, sub in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = storable(out[key])
    for key in SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [storable(sub) for sub in out[key]]
    return out


def json_body(schema: dict) -> dict:
    """`extend_schema(request=json_body(schema))` for a view of /api/v1/ with a raw JSON Schema: drf-spectacular
    reads a bare dict given as `request` as {media type: schema}, so the schema's own keys would become media
    types."""
    return {"application/json": oas30(schema)}
