"""The description of every Resource viewset (apps/adminapi/resource.py `viewset_for` attaches `ResourceSchema`):
its six operations drawn from the resource itself: the representation (`Resource.representation_schema()`), the
request bodies (`body_schema(creating=...)`; POST takes one object or a list), the list page, the query parameters
(limit, offset, q, ordering and the FilterSet's filters), the path parameter, ETag / If-Match / If-None-Match, the
error bodies, an example per operation, and OpenAPI links from creating, listing, reading and changing an object to
reading, replacing, changing and deleting it (for clients, and for schemathesis' stateful tests). An extra action of
such a viewset (`@action`) keeps drf-spectacular's own way (its `extend_schema`)."""

import json
import re

from apps.adminapi.openapi.dialect import oas30, storable, whole
from apps.adminapi.openapi.examples import Examples
from apps.adminapi.openapi.keys import IN_ONE_SEGMENT, KEY_PATTERN
from apps.adminapi.openapi.lists import PAGE_PARAMETERS, filter_parameters, page_of
from apps.adminapi.openapi.operations import V1Schema, component
from apps.adminapi.openapi.per_resource import CREATE_LINKS

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
        schema = oas30(whole(resource.representation_schema()))
        schema["description"] = (
            f"{_a(resource.kind).capitalize()} as /api/v1/{resource.name} shows it (every key present)."
        )
        return component(self.registry, self._names(resource), schema)

    def _new(self, resource) -> dict:
        schema = _addressable_key(resource, oas30(storable(resource.body_schema(creating=True))))
        schema["description"] = f"A new {resource.kind}: keys left out take the data file's defaults."
        return component(self.registry, f"{self._names(resource)}New", schema)

    def _changed(self, resource, partial: bool) -> dict:
        schema = _addressable_key(resource, oas30(storable(resource.body_schema(creating=False, partial=partial))))
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
        description = f"The {resource.kind}'s {resource.key}."
        if schema["type"] == "string" and "enum" not in schema:
            schema["pattern"] = KEY_PATTERN
            description = f"{description} {IN_ONE_SEGMENT}"
        parameter = {"in": "path", "name": "key", "required": True, "schema": schema, "description": description}
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
