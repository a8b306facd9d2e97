"""The OpenAPI description of the admin JSON API (/api/v1/), drawn from the definitions that serve it.

* Every Resource viewset (apps/adminapi/resource.py `viewset_for`) carries `ResourceSchema`, which describes its six
  operations from the resource itself: the representation (`Resource.representation_schema()`), the request bodies
  (`body_schema(creating=...)`; POST takes one object or a list), the list page `{"count", "next", "previous",
  "results"}`, the query parameters (limit, offset, q, ordering and the FilterSet's filters), the path parameter,
  ETag / If-Match / If-None-Match, the error bodies, an example per operation, and OpenAPI links from creating,
  listing, reading and changing an object to reading, replacing, changing and deleting it (for clients, and for
  schemathesis' stateful tests). An extra action of such a viewset (`@action`) keeps drf-spectacular's own way
  (its `extend_schema`).
* /api/v1/tokens and /api/v1/audit, views of their own, are described here through drf-spectacular's view
  extensions, with the same error bodies.
* `Authorization: Bearer <token>` is a security scheme.

The PBX data file's checkers describe themselves in JSON Schema (apps/pbxdata/schema.py); the description is OpenAPI
3.0, so `anyOf [X, null]` becomes `nullable`, and `const` a one-value `enum`, here (`oas30`)."""

import json
import re
from copy import deepcopy
from typing import Any

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity, ResolvedComponent

from apps.pbxdata.schema import REQUIRED, complete
from sipxweb.text import STORABLE_TEXT_PATTERN

# ---- the Bearer scheme ---------------------------------------------------------------------------------------


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


# ---- JSON Schema -> OpenAPI 3.0 ------------------------------------------------------------------------------

_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf")


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
        elif key in _SUBSCHEMA_LISTS:
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


def _whole(schema: Any) -> Any:
    """The representation's schema at every depth: `complete()` fills every key of every object of the data file,
    so each of them is present in what a client reads."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {name: _whole(sub) for name, sub in out["properties"].items()}
        if out.get("additionalProperties") is False:
            out["required"] = list(out["properties"])
    if isinstance(out.get("items"), dict):
        out["items"] = _whole(out["items"])
    for key in _SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [_whole(sub) for sub in out[key]]
    return out


def _storable(schema: Any) -> Any:
    """Request strings carry the storable-text rule (no NUL, no lone surrogate: sipxweb.text, which every checker
    applies), as the sipXconfig URIs' bodies do (sipxweb.rest.schema.storable_text)."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    if out.get("type") == "string" and not {"pattern", "format", "enum"} & set(out):
        out["pattern"] = STORABLE_TEXT_PATTERN
    if "properties" in out:
        out["properties"] = {name: _storable(sub) for name, sub in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _storable(out[key])
    for key in _SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [_storable(sub) for sub in out[key]]
    return out


# ---- error bodies --------------------------------------------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "What went wrong: a sentence, a code, and for a refused value the path of each refused field as "
    'the data file names it ("aliases[0]", "callForwarding.rings[1].type", "[3].userName" for the fourth object '
    "of a bulk request).",
    "properties": {
        "error": {"type": "string", "description": "A sentence for a person."},
        "type": {
            "type": "string",
            "description": "invalid, not_authenticated, authentication_failed, permission_denied, not_found, "
            "conflict, precondition_failed, too_large, throttled, ...",
        },
        "fields": {
            "type": "object",
            "description": "Refused values: path -> messages.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["error", "type"],
    # a resource may add detail for programs (a refused file import lists its bad rows as `lines`)
    "additionalProperties": True,
}

ERROR_EXAMPLES = {
    "400": {"error": "userName: is required.", "type": "invalid", "fields": {"userName": ["is required"]}},
    "401": {"error": "The token is unknown, expired or revoked.", "type": "authentication_failed"},
    "403": {"error": "This API token is read-only.", "type": "permission_denied"},
    "404": {"error": 'There is no user "300".', "type": "not_found"},
    "409": {"error": 'userName: user "300" exists already; change it with PUT or PATCH.', "type": "conflict"},
    "412": {
        "error": "The object changed since you read it; read it again and repeat the change.",
        "type": "precondition_failed",
    },
    "413": {"error": "The request body is too large for this URI.", "type": "too_large"},
    "414": {"error": "The path is longer than 2048 characters.", "type": "uri_too_long"},
    "429": {"error": "Request was throttled. Expected available in 31 seconds.", "type": "throttled"},
}

ERRORS = {
    "400": "A value was refused (the body names each refused field); nothing was changed.",
    "401": "No credentials, or wrong ones (Bearer token, Basic or Digest with a PIN).",
    "403": "Not an administrator, or a read-only token asked for a change.",
    "404": "No such object.",
    "409": "The object exists already (POST), or the change clashes with other objects.",
    "412": "If-Match names none of the object's current ETag: it changed since it was read.",
    "413": "The body is larger than the server accepts.",
    "414": "The path or the query string is too long.",
    "429": "Too many requests with this token (or user) in the current window; Retry-After says when to retry.",
}

ERROR_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": "The Digest and Basic challenges (a Bearer token is sent without one).",
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "required": True,
            "description": "Seconds until the window ends.",
        }
    },
}


def error_response(status: str, error_ref: dict) -> dict:
    response = {
        "description": ERRORS[status],
        "content": {"application/json": {"schema": error_ref, "example": deepcopy(ERROR_EXAMPLES[status])}},
    }
    if status in ERROR_HEADERS:
        response["headers"] = deepcopy(ERROR_HEADERS[status])
    return response


# ---- query parameters ----------------------------------------------------------------------------------------


def _filter_schema(filter_) -> dict:
    """The JSON Schema of one django-filter filter's value, from its form field."""
    field = filter_.field
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.ModelChoiceField):
        # the FilterSet's own choice: the row's primary key unless it names another field
        if field.to_field_name is None and field.queryset.model._meta.pk.get_internal_type().endswith("AutoField"):
            return {"type": "integer", "minimum": 1}
        return {"type": "string"}
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value not in ("", None)]
        return {"type": "string", "enum": values} if values else {"type": "string"}
    if isinstance(field, forms.IntegerField):
        return {"type": "integer"}
    if isinstance(field, forms.DecimalField | forms.FloatField):
        return {"type": "number"}
    if isinstance(field, forms.DateTimeField):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    schema: dict = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    return schema


def filter_parameters(filterset_class, skip=()) -> list[dict]:
    """The query parameters of a FilterSet (the admin list page's filters: same names, same meaning)."""
    if filterset_class is None:
        return []
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        if name in skip:
            continue
        label = str(filter_.label or name)
        help_text = filter_.extra.get("help_text")
        parameters.append(
            {
                "in": "query",
                "name": name,
                "required": False,
                "schema": _filter_schema(filter_),
                "description": f"{label}: {help_text}" if help_text else label,
            }
        )
    return parameters


PAGE_PARAMETERS = [
    {
        "in": "query",
        "name": "limit",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
        "description": "Objects per page (at most 1000).",
    },
    {
        "in": "query",
        "name": "offset",
        "required": False,
        "schema": {"type": "integer", "minimum": 0, "default": 0},
        "description": "How many objects to skip.",
    },
]


def page_of(item_ref: dict, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "Objects in the whole list."},
            "next": {
                "type": "string",
                "nullable": True,
                "description": "The URL of the next page (null on the last).",
            },
            "previous": {
                "type": "string",
                "nullable": True,
                "description": "The URL of the previous page (null on the first).",
            },
            "results": {"type": "array", "items": item_ref},
        },
        "required": ["count", "next", "previous", "results"],
        "additionalProperties": False,
    }


# ---- examples ------------------------------------------------------------------------------------------------

# Values that make the generated examples read like an integration's, for the resources that need a hint; any other
# resource may say `example = {...}` (a few fields; the rest are the data file's defaults).
EXAMPLE_VALUES = {
    "users": {
        "userName": "300",
        "firstName": "Zed",
        "lastName": "Zulu",
        "aliases": ["zed"],
        "groups": ["sales"],
        "pin": "8642",
    },
    "groups": {"name": "sales", "description": "Sales team"},
}

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
    for key in _SUBSCHEMA_LISTS:
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


# ---- the Resource viewsets -----------------------------------------------------------------------------------

# Links from creating an object to creating an object of another resource that refers to it: {resource: [(link
# name, target resource, body with "{key}" for the new object's key)]}. (They also give schemathesis a way to a
# create operation that its dependency heuristics would not start from: a user's `imId` looks to it like the key of
# an "Im" resource.)
CREATE_LINKS = {
    "groups": [("create-member", "users", {"groups": ["{key}"]})],
}

STANDARD_ACTIONS = ("list", "create", "retrieve", "update", "partial_update", "destroy")
WRITE_ACTIONS = ("create", "update", "partial_update", "destroy")

ACTION_ERRORS = {
    "list": ("400", "401", "403", "414", "429"),
    "create": ("400", "401", "403", "409", "413", "414", "429"),
    "retrieve": ("400", "401", "403", "404", "414", "429"),
    "update": ("400", "401", "403", "404", "409", "412", "413", "414", "429"),
    "partial_update": ("400", "401", "403", "404", "409", "412", "413", "414", "429"),
    "destroy": ("400", "401", "403", "404", "409", "412", "414", "429"),
}

ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "The object's version: send it back in If-Match to change or delete only that version.",
}


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in text.replace("-", " ").replace("_", " ").split())


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


# A key is one segment of the object's URL: no slash, no control character (the request gate refuses those in a path,
# sipxweb.bounds), not "." or ".." (which clients resolve away), and storable text.
KEY_PATTERN = r"^(?!\.\.?$)[^/\u0000-\u001F\u007F-\u009F\uFFFE\uFFFF]+$"


def _addressable_key(resource, body: dict) -> dict:
    """A string key without a pattern of its checker's is described as one that a URL can name (the checkers of
    some resources accept more: such a key cannot be read back, so the description does not offer it)."""
    own = resource.body_schema(creating=True)["properties"].get(resource.key, {})
    key = body["properties"].get(resource.key)
    if key is not None and key.get("type") == "string" and "pattern" not in own:
        key["pattern"] = KEY_PATTERN
    return body


class ResourceSchema(V1Schema):
    """The description of a Resource viewset (attached by `viewset_for`)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        action = getattr(self.view, "action", None)
        if action not in STANDARD_ACTIONS:  # an @action: its own extend_schema describes it
            return super().get_operation(path, path_regex, path_prefix, method, registry)
        self.start(path, path_regex, path_prefix, method, registry)
        resource = self.view.resource
        if resource.read_only and action in WRITE_ACTIONS:
            return None  # a read-only resource refuses every change (403): nothing to describe
        return getattr(self, f"_{action}")(resource, Examples(resource))

    # -- components
    def _names(self, resource) -> str:
        return camel(resource.kind or resource.name)

    def _representation(self, resource) -> dict:
        schema = oas30(_whole(resource.representation_schema()))
        schema["description"] = (
            f"{_a(resource.kind).capitalize()} as /api/v1/{resource.name} shows it (every key present)."
        )
        return component(self.registry, self._names(resource), schema)

    def _new(self, resource) -> dict:
        schema = _addressable_key(resource, oas30(_storable(resource.body_schema(creating=True))))
        schema["description"] = f"A new {resource.kind}: keys left out take the data file's defaults."
        return component(self.registry, f"{self._names(resource)}New", schema)

    def _changed(self, resource, partial: bool) -> dict:
        schema = _addressable_key(resource, oas30(_storable(resource.body_schema(creating=False, partial=partial))))
        schema.pop("required", None)
        if partial:
            schema["description"] = f"Keys of the {resource.kind} to change; the others keep their values."
            return component(self.registry, f"{self._names(resource)}Change", schema)
        schema["description"] = (
            f"The whole {resource.kind}: keys left out return to the data file's defaults (secrets not given are kept)."
        )
        return component(self.registry, f"{self._names(resource)}Replace", schema)

    # -- parameters
    def _key_parameter(self, resource, examples) -> dict:
        key_schema = oas30(resource.representation_schema()["properties"].get(resource.key, {"type": "string"}))
        schema = {k: v for k, v in key_schema.items() if k in ("type", "maxLength", "minLength", "enum")}
        schema.setdefault("type", "string")
        if schema["type"] == "string" and "enum" not in schema:
            schema["pattern"] = KEY_PATTERN
        parameter = {
            "in": "path",
            "name": "key",
            "required": True,
            "schema": schema,
            "description": f"The {resource.kind}'s {resource.key}.",
        }
        if examples.key is not None:
            parameter["example"] = examples.key
        return parameter

    def _if_match(self) -> dict:
        return {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "The ETag the change applies to (412 when the object changed since); * for any.",
        }

    def _operation_id(self, resource, action) -> str:
        return f"v1_{resource.name.replace('-', '_')}_{action}"

    def _links(self, resource, source: str, targets, parameter: str) -> dict:
        links = {}
        for action in targets:
            link = {"operationId": self._operation_id(resource, action), "parameters": {"key": parameter}}
            if action in ("update", "partial_update", "destroy") and source in ("retrieve", "update", "partial_update"):
                link["parameters"]["header.If-Match"] = "$response.header.ETag"
            links[f"{action}-{resource.kind.replace(' ', '-')}"] = link
        return links

    def _links_elsewhere(self, resource) -> dict:
        """Links from a new object to creating an object of another resource that names it (CREATE_LINKS)."""
        links = {}
        for name, target, body in CREATE_LINKS.get(resource.name, ()):
            expression = f"$response.body#/{resource.key}"
            links[name] = {
                "operationId": f"v1_{target}_create",
                "requestBody": json.loads(json.dumps(body).replace('"{key}"', json.dumps(expression))),
            }
        return links

    def _one(self, resource, description, example, links=None, etag=True, code="200") -> dict:
        response = {
            "description": description,
            "content": {"application/json": {"schema": self._representation(resource), "example": example}},
        }
        if etag:
            response["headers"] = {"ETag": {**ETAG_HEADER, "required": True}}
        if links:
            response["links"] = links
        return response

    # -- operations
    def _list(self, resource, examples):
        search = resource.search_fields()
        parameters = [*PAGE_PARAMETERS]
        if search:
            parameters.append(
                {
                    "in": "query",
                    "name": "q",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 255},
                    "description": "Search text: every word must match the start of a word of the object (as the "
                    "admin list page's search box).",
                }
            )
        if resource.ordering:
            names = sorted(resource.ordering)
            one = "-?(?:" + "|".join(re.escape(n) for n in names) + ")"
            parameters.append(
                {
                    "in": "query",
                    "name": "ordering",
                    "required": False,
                    "schema": {"type": "string", "pattern": f"^{one}(?:,{one})*$"},
                    "example": f"-{names[0]}",
                    "description": f"Comma-separated keys to sort by, - before a key for descending: "
                    f"{', '.join(names)}.",
                }
            )
        parameters += filter_parameters(resource.filterset_class, skip={"limit", "offset", "q", "ordering"})
        page = component(
            self.registry,
            f"{self._names(resource)}Page",
            page_of(self._representation(resource), f"A page of {resource.name}."),
        )
        ok = {
            "description": f"A page of {resource.name}, in order.",
            "content": {
                "application/json": {
                    "schema": page,
                    "example": {"count": 1, "next": None, "previous": None, "results": [examples.representation]},
                }
            },
            "links": self._links(resource, "list", ["retrieve"], f"$response.body#/results/0/{resource.key}"),
        }
        return self.operation(
            self._operation_id(resource, "list"),
            f"List {resource.name}",
            f"Pages through the {resource.name} (`?limit=&offset=`), narrowed by the admin list page's filters and "
            "by `?q=`, sorted by `?ordering=`.",
            [resource.name],
            parameters,
            None,
            {"200": ok, **self.error_responses(ACTION_ERRORS["list"])},
        )

    def _create(self, resource, examples):
        new = self._new(resource)
        representation = self._representation(resource)
        request_body = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"oneOf": [new, {"type": "array", "items": new, "minItems": 1}]},
                    "examples": {
                        "one": {"summary": f"One {resource.kind}", "value": examples.create},
                        "bulk": {"summary": "Several at once (all or nothing)", "value": examples.bulk},
                    },
                }
            },
        }
        created = {
            "description": f"Created: the {resource.kind} as stored (its URL in Location, its ETag); for a list, "
            "the list of them in the same order.",
            "headers": {
                "Location": {"schema": {"type": "string"}, "description": "The new object's URL (one object only)."},
                "ETag": {**ETAG_HEADER, "description": "The new object's version (one object only)."},
            },
            "content": {
                "application/json": {
                    "schema": {"oneOf": [representation, {"type": "array", "items": representation}]},
                    "example": examples.representation,
                }
            },
            "links": {
                **self._links(
                    resource,
                    "create",
                    ["retrieve", "update", "partial_update", "destroy"],
                    f"$response.body#/{resource.key}",
                ),
                **self._links_elsewhere(resource),
            },
        }
        return self.operation(
            self._operation_id(resource, "create"),
            f"Create {_a(resource.kind)} (or several)",
            f"One {resource.kind} as an object, or a JSON list of them: all are stored or none (a refusal names the "
            f"list item, `[3].{resource.key}`). An existing {resource.key} is 409.",
            [resource.name],
            [],
            request_body,
            {"201": created, **self.error_responses(ACTION_ERRORS["create"])},
        )

    def _retrieve(self, resource, examples):
        parameters = [
            self._key_parameter(resource, examples),
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "schema": {"type": "string"},
                "description": "An ETag read before: 304 without a body while the object is unchanged.",
            },
        ]
        ok = self._one(
            resource,
            f"The {resource.kind}.",
            examples.representation,
            self._links(resource, "retrieve", ["update", "partial_update", "destroy"], "$request.path.key"),
        )
        not_modified = {"description": "Unchanged since the ETag in If-None-Match.", "headers": {"ETag": ETAG_HEADER}}
        return self.operation(
            self._operation_id(resource, "retrieve"),
            f"Read {_a(resource.kind)}",
            f"The {resource.kind} with every key (defaults included) and its ETag.",
            [resource.name],
            parameters,
            None,
            {"200": ok, "304": not_modified, **self.error_responses(ACTION_ERRORS["retrieve"])},
        )

    def _change(self, resource, examples, action):
        partial = action == "partial_update"
        body = self._changed(resource, partial)
        example = examples.change if partial else examples.representation
        ok = self._one(
            resource,
            f"The {resource.kind} as stored now.",
            {**examples.representation, **examples.change} if partial else examples.representation,
            self._links(resource, action, ["retrieve", "destroy"], "$request.path.key"),
        )
        verb = "Change" if partial else "Replace"
        what = (
            "The keys given change; the others keep their values."
            if partial
            else "The body is the whole object: keys left out return to their defaults (secrets not given are kept)."
        )
        return self.operation(
            self._operation_id(resource, action),
            f"{verb} {_a(resource.kind)}",
            f"{what} The {resource.key} cannot change. With If-Match, only the version read (else 412).",
            [resource.name],
            [self._key_parameter(resource, examples), self._if_match()],
            {"required": True, "content": {"application/json": {"schema": body, "example": example}}},
            {"200": ok, **self.error_responses(ACTION_ERRORS[action])},
        )

    def _update(self, resource, examples):
        return self._change(resource, examples, "update")

    def _partial_update(self, resource, examples):
        return self._change(resource, examples, "partial_update")

    def _destroy(self, resource, examples):
        return self.operation(
            self._operation_id(resource, "destroy"),
            f"Delete {_a(resource.kind)}",
            "With If-Match, only the version read (else 412).",
            [resource.name],
            [self._key_parameter(resource, examples), self._if_match()],
            None,
            {"204": {"description": "Deleted."}, **self.error_responses(ACTION_ERRORS["destroy"])},
        )


# ---- /api/v1/tokens and /api/v1/audit ------------------------------------------------------------------------

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
        "key": {"type": "string", "description": "The object's key, as its /api/v1/ URL names it."},
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


class TokenViewDescription(OpenApiViewExtension):
    target_class = "apps.adminapi.resources.tokens.TokenViewSet"

    def view_replacement(self):
        return type("TokenViewSet", (self.target_class,), {"schema": TokenSchema()})


class AuditViewDescription(OpenApiViewExtension):
    target_class = "apps.adminapi.resources.audit.AuditViewSet"

    def view_replacement(self):
        return type("AuditViewSet", (self.target_class,), {"schema": AuditSchema()})


# ---- every /api/v1/ operation ---------------------------------------------------------------------------------


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


def json_body(schema: dict) -> dict:
    """`extend_schema(request=json_body(schema))` for a view of /api/v1/ with a raw JSON Schema: drf-spectacular
    reads a bare dict given as `request` as {media type: schema}, so the schema's own keys would become media
    types."""
    return {"application/json": oas30(schema)}


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
