"""How the REST API describes itself in OpenAPI (drf-spectacular): the Basic and Digest
authentication schemes, and the D1 error body. drf-spectacular finds extension classes when this module
is imported; sipxweb/urls.py imports it next to the schema view."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension

from sipxweb.text import EMAIL, NOT_BLANK_PATTERN, STORABLE_TEXT_PATTERN


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "apps.users.authentication.BasicAuthentication"
    name = "basic"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Login name (user name, alias or IM id) and portal PIN.",
        }


class DigestScheme(OpenApiAuthenticationExtension):
    target_class = "apps.users.authentication.DigestAuthentication"
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


WIRE_MEDIA_TYPES = ("text/xml", "application/xml", "application/json")


def _wire_roots(generator) -> dict[str, str]:
    """Path (as in the description) -> the view's `wire_root`: the XML root element and the single JSON key
    that the parsers demand (sipxweb.rest.parsers)."""
    roots = {}
    for path, _regex, _method, callback in generator.endpoints or ():
        root = getattr(getattr(callback, "cls", None), "wire_root", None)
        if root:
            roots[path] = root
    return roots


def _wrapped(schema: dict, media_type: str, root: str) -> dict:
    if media_type == "application/json":
        # XStream's JSON: an object with the one root key (Jettison's layout).
        return {"type": "object", "properties": {root: schema}, "required": [root], "additionalProperties": False}
    # XML: the same members as child elements of <root>.
    return {"allOf": [schema], "xml": {"name": root}}


def describe_wire_roots(result, generator, request, public):
    """drf-spectacular post-processing hook: request bodies and XStream responses are wrapped in the view's
    root (`<call-sequence>…</call-sequence>`, `{"call-sequence": {…}}`), as the server reads and writes them;
    the serializers alone describe only the inside. Request bodies are offered in every media type the parsers
    take (text/xml, its alias application/xml, application/json)."""
    roots = _wire_roots(generator)
    for path, operations in result.get("paths", {}).items():
        root = roots.get(path)
        if root is None:
            continue
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content")
            if body:
                inner = next((body[t]["schema"] for t in WIRE_MEDIA_TYPES if t in body and "schema" in body[t]), None)
                if inner is not None:
                    operation["requestBody"]["content"] = {
                        media_type: {"schema": _wrapped(inner, media_type, root)} for media_type in WIRE_MEDIA_TYPES
                    }
                    # An empty body is a 400 ("send the document this URI expects").
                    operation["requestBody"]["required"] = True
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                for media_type, content in (response.get("content") or {}).items():
                    # Lists (`<autoAttendants><autoAttendant>…`) keep their own description: their item alias
                    # is not the serializer's.
                    schema = content.get("schema") or {}
                    if media_type in ("text/xml", "application/json") and schema and schema.get("type") != "array":
                        content["schema"] = _wrapped(content["schema"], media_type, root)
    return result


def link_private_entries(result, generator, request, public):
    """drf-spectacular post-processing hook: OpenAPI links from creating a private phonebook entry (its
    `Location` names the new id) to reading, changing and deleting it, for clients and for stateful testing."""
    paths = result.get("paths", {})
    for path, operations in paths.items():
        if not path.endswith("/phonebook/entry/{entry_id}") or "post" not in operations:
            continue
        others = [name for name in ("key",) if "{" + name + "}" in path]
        parameters = {"entry_id": "$response.header.Location#regex:/entry/([0-9]+)$"}
        parameters.update({name: f"$request.path.{name}" for name in others})
        links = {}
        for method in ("get", "put", "delete"):
            operation_id = operations.get(method, {}).get("operationId")
            if operation_id:
                links[f"{method}-created-entry"] = {"operationId": operation_id, "parameters": parameters}
        operations["post"].setdefault("responses", {}).setdefault("200", {"description": "Created"})["links"] = links
    return result


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def close_strict_bodies(result, generator, request, public):
    """drf-spectacular post-processing hook: a StrictSerializer refuses unknown members (400 naming them), so
    its request component says `additionalProperties: false`; otherwise the description promises that any extra
    member is accepted."""
    from sipxweb.rest.fields import StrictSerializer

    schemas = result.get("components", {}).get("schemas", {})
    for cls in _subclasses(StrictSerializer):
        name = cls.__name__.removesuffix("Serializer") + "Request"
        if name in schemas and schemas[name].get("type") == "object":
            schemas[name]["additionalProperties"] = False
    return result


def _storable_strings(schema) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema):
        schema["pattern"] = STORABLE_TEXT_PATTERN
    for key in ("properties",):
        for member in (schema.get(key) or {}).values():
            _storable_strings(member)
    for key in ("items", "additionalProperties"):
        _storable_strings(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for member in schema.get(key) or ():
            _storable_strings(member)


def storable_text(result, generator, request, public):
    """drf-spectacular post-processing hook: every text member of a request body carries the storable-text rule
    as its `pattern` (no NUL, no lone surrogate: sipxweb.text, which DRF's CharField and the data file
    also apply). Without it the description calls such a body valid and the server refuses it with 400."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _storable_strings(schema)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                for content in (operation.get("requestBody", {}).get("content") or {}).values():
                    _storable_strings(content.get("schema"))
    return result


# Present and not blank: at least one character that trimming keeps (sipxweb.text.is_blank).
NOT_BLANK = {"type": "string", "pattern": NOT_BLANK_PATTERN}


def single_entry_rules(result, generator, request, public):
    """drf-spectacular post-processing hook: the single-entry URI (`/phonebook/entry/{id}`, POST and PUT) applies
    sipXconfig's own checks on top of the entry serializer: first name, last name and number present and not
    blank, and an e-mail address of sipXconfig's form. The bulk `POST /phonebook` does not, so the shared
    component stays as it is and these operations add the rules."""
    rules = {
        "required": ["first-name", "last-name", "number"],
        "properties": {
            "first-name": NOT_BLANK,
            "last-name": NOT_BLANK,
            "number": NOT_BLANK,
            "contact-information": {
                "properties": {"emailAddress": {"type": "string", "pattern": EMAIL.pattern}},
            },
        },
    }
    for path, operations in result.get("paths", {}).items():
        if not path.endswith("/phonebook/entry/{entry_id}"):
            continue
        for method in ("post", "put"):
            for media_type, content in operations.get(method, {}).get("requestBody", {}).get("content", {}).items():
                schema = content["schema"]
                if media_type == "application/json":
                    inner = next(iter(schema["properties"]))
                    schema["properties"][inner] = {"allOf": [schema["properties"][inner], rules]}
                else:
                    schema["allOf"].append(rules)
    return result


class AddressFieldScheme(OpenApiSerializerFieldExtension):
    """An address is an object of six optional text members (sipxweb.rest.fields.AddressField), not a string."""

    target_class = "sipxweb.rest.fields.AddressField"

    def map_serializer_field(self, auto_schema, direction):
        keys = ("street", "city", "country", "state", "zip", "officeDesignation")
        text = {"type": "string", "maxLength": 255, "nullable": direction == "response"}
        return {"type": "object", "properties": dict.fromkeys(keys, text), "additionalProperties": False}
