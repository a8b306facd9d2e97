"""The floor under a database outage: while the database cannot be reached (restarted, failed over, network
gone) every request that needs it answers 503 with `Retry-After` and one sentence, never a 500 with a
traceback and never a hang, and sipxweb recovers by itself once the database is back.

Recovery needs nothing here: Django closes a connection that raised a connection-level error at the end
of the request, and `CONN_HEALTH_CHECKS` (settings) tests a kept connection before the next request
reuses it, so the first request after the database returns opens a fresh one.

What counts as an outage: `django.db.OperationalError` (cannot connect, server terminated the connection)
and `InterfaceError` (the connection is already closed). Integrity and data errors are bugs or bad input
and keep their own handling.

Three doors, because Django and DRF each catch exceptions at a different level:
* REST views: DRF hands every exception to its `EXCEPTION_HANDLER` before any middleware sees it, so
  `exception_handler` (settings REST_FRAMEWORK) answers the outage and passes everything else on to
  `sipxweb.rest.errors.exception_handler` — the JSON body of D1.
* HTML views: `DatabaseUnavailableMiddleware.process_exception`.
* Anything else (another middleware touching the session or the cache): Django turns it into a 500 inside
  its own handler; the `got_request_exception` signal marks the request, and the middleware swaps that
  500 for the 503.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.html import escape

log = logging.getLogger(__name__)

# Seconds a client should wait before trying again: a PostgreSQL restart or fail-over takes a few seconds.
RETRY_AFTER = "5"
SENTENCE = "The database is unavailable at the moment; please try again in a few seconds."
_MARK = "_sipxweb_database_unavailable"


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


def _note(exc: BaseException, where: str) -> None:
    # One line, no traceback: during an outage every request fails the same way, and a traceback per
    # request would bury the log. The driver's message says what happened (refused, terminated, ...).
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    log.warning("database unavailable (%s): %s", where, first_line[:200])


def json_response() -> HttpResponse:
    from sipxweb.rest.errors import error_response

    response = error_response(503, SENTENCE, "database_unavailable")
    response["Retry-After"] = RETRY_AFTER
    return response


def html_response() -> HttpResponse:
    body = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title></head>'
        f"<body><h1>Service unavailable</h1><p>{escape(SENTENCE)}</p></body></html>\n"
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER
    return response


def response_for(request) -> HttpResponse:
    """JSON under the REST prefix (the D1 error body clients parse), HTML for the pages."""
    path = getattr(request, "path", "") or ""
    if path.startswith("/sipxconfig/rest/") or path.startswith("/callcontroller/"):
        return json_response()
    return html_response()


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: the outage as 503, everything else as sipxweb.rest.errors decides."""
    if is_outage(exc):
        _note(exc, context.get("view").__class__.__name__ if context.get("view") is not None else "REST")
        return json_response()
    from sipxweb.rest.errors import exception_handler as d1_handler

    return d1_handler(exc, context)


def _mark_request(sender, request=None, **kwargs):  # noqa: ARG001
    # Sent by Django while it handles an uncaught exception, inside the `except` block: sys.exc_info()
    # is that exception.
    exc = sys.exc_info()[1]
    if request is not None and is_outage(exc):
        setattr(request, _MARK, exc)


got_request_exception.connect(_mark_request, dispatch_uid="sipxweb.dbdown")


class DatabaseUnavailableMiddleware:
    """Above the session, authentication and message middlewares (settings.MIDDLEWARE), so it also sees the
    500s Django made from errors in the middlewares below it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, _MARK, None)
        if exc is not None and response.status_code == 500:
            _note(exc, "middleware")
            return response_for(request)
        return response

    def process_exception(self, request, exception):
        if is_outage(exception):
            _note(exception, "view")
            return response_for(request)
        return None
