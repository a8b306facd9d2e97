"""The error bodies of D1: `{"error": "<sentence>", "type": "<code>"}` as application/json whatever the
Accept, with the right status and headers (WWW-Authenticate on 401, Allow on 405, Retry-After on 429)."""

import json
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from rest_framework import exceptions

from sipxweb.rest.challenges import challenge_value

log = logging.getLogger(__name__)


class TooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large for this URI."
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """409: the request clashes with the current state (D2 duplicate phonebook entry, special-mode rules)."""

    status_code = 409
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def sentence(detail) -> str:
    """A readable sentence from DRF's nested error details."""
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            text = sentence(value)
            parts.append(text if key in ("non_field_errors", "__all__") else f"{key}: {text}")
        return " ".join(parts)
    if isinstance(detail, list):
        return " ".join(sentence(v) for v in detail)
    text = str(detail).strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def error_response(status: int, message: str, code: str) -> HttpResponse:
    body = json.dumps({"error": message, "type": code}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "No such object.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own memory bound (DATA_UPLOAD_MAX_MEMORY_SIZE / _NUMBER_FIELDS); sipxweb.bounds usually
        # refuses earlier, from the Content-Length.
        exc = TooLarge(f"The request body is too large: {exc}")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if not isinstance(exc, exceptions.APIException):
        log.exception("unhandled error in %s", context.get("view").__class__.__name__)
        return error_response(
            500, "Internal error; the administrator can find details in the server log.", "server_error"
        )

    code = exc.get_codes() if not isinstance(exc.detail, (dict, list)) else "invalid"
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    response = error_response(exc.status_code, sentence(exc.detail), str(code))
    if exc.status_code == 401:
        response["WWW-Authenticate"] = challenge_value(stale=getattr(exc, "stale", False))
    if isinstance(exc, exceptions.MethodNotAllowed) and context.get("view") is not None:
        response["Allow"] = ", ".join(context["view"].allowed_methods)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait))
    return response
