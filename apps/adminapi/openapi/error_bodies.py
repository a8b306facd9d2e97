"""The error body of every /api/v1/ answer that is not a success (apps/adminapi/errors.py writes it): its schema,
an example and a description per status, and the headers some statuses carry."""

from copy import deepcopy

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
