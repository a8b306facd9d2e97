"""The admin JSON API's error bodies: `{"error": "<sentence>", "type": "<code>"}` as on the sipXconfig URIs (D1),
plus `"fields": {"<path>": ["<message>"]}` when a value was refused, the path named as in the PBX data file
(`aliases[0]`, `callForwarding.rings[1].type`, `[3].userName` for the fourth object of a bulk request)."""

import json

from django.http import HttpResponse
from rest_framework import exceptions, status

from apps.pbxdata.schema import PbxDataError
from sipxweb.dbdown import exception_handler as outage_or_d1_handler
from sipxweb.rest.errors import error_response


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it; read it again and repeat the change."
    default_code = "precondition_failed"


# The request gate's refusals (sipxweb.bounds, through settings.API_ERROR_LAYOUTS): status -> the code DRF would give.
GATE_CODES = {
    400: "invalid",
    403: "permission_denied",
    404: "not_found",
    413: "too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    500: "server_error",
    503: "database_unavailable",
}


def gate_refusal(status: int, sentence: str) -> HttpResponse:
    """A refusal of the request gate (a control character in the path or query, a path, header or body too large,
    a cross-site write) in the API's error body, as JSON like every other answer of /api/v1/."""
    return error_response(status, sentence, GATE_CODES.get(status, "invalid" if status < 500 else "server_error"))


def refused(path: str, message: str) -> HttpResponse:
    where = path.lstrip(".")
    sentence = f"{where}: {message}" if where else message
    if not sentence.endswith("."):
        sentence += "."
    body = {"error": sentence, "type": "invalid", "fields": {where or "body": [message]}}
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=400, content_type="application/json")


def _fields(detail, prefix="") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_fields(value, name))
        return out
    if isinstance(detail, list) and all(not isinstance(v, dict | list) for v in detail):
        return {prefix or "body": [str(v) for v in detail]}
    if isinstance(detail, list):
        out = {}
        for i, value in enumerate(detail):
            out.update(_fields(value, f"{prefix}[{i}]"))
        return out
    return {prefix or "body": [str(detail)]}


def handle(exc, context):
    """DRF's exception handler for /api/v1/ views."""
    if isinstance(exc, PbxDataError):
        return refused(exc.path, exc.message)
    response = outage_or_d1_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict | list):
        body = json.loads(response.content)
        body["fields"] = _fields(exc.detail)
        response.content = json.dumps(body, ensure_ascii=False)
    return response
