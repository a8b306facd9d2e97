"""One gate in front of every view for what a request may look like before any work is done on it.

* Control characters (C0, DEL, C1): nothing downstream wants them, and PostgreSQL refuses a NUL inside a
  text parameter with an exception (a 500). In a REST path: 404 (no resource has such a name); in a REST
  query name or value: 400. Under `/callcontroller/` the path's segments and the query are the call's
  parameters, so either answers 400 "Bad parameter" in the call controller's `<processing-status>` layout.
  On the HTML pages a query is what someone typed into a search or filter box: the control characters are
  dropped and the page is served (a stray NUL pasted into a search box is not worth an error page); a page
  path with one is a 404.
* A path longer than MAX_PATH_CHARS or a query string longer than MAX_QUERY_CHARS: 414; request headers
  together larger than MAX_HEADER_BYTES: 431. gunicorn already caps the request line and each header line;
  these bounds hold under any server.
* The body: each view may declare `max_body_bytes`; a REST view (a `WireView`) defaults to
  REST_MAX_BODY_BYTES, any other view to PAGE_MAX_BODY_BYTES. A larger Content-Length is refused with 413
  before the body is read. Django never reads past Content-Length (a chunked body without one reads as
  empty), so the declared length bounds what is read.
* Writes to the REST API (`/sipxconfig/rest/`, `/callcontroller/`) whose `Origin` header names another
  site: 403. A browser that caches Basic/Digest credentials sends them with a cross-site form or fetch;
  the browser always says where such a request comes from. Clients that are not browsers send no Origin.
* A `Range` header with non-ASCII characters or a number longer than 18 digits is dropped, so the file is
  sent whole (RFC 9110 lets a server ignore Range; sipxweb.ranges does the same with any range it cannot
  parse).

Refusals on the REST API are the JSON error body of D1, on the call controller its `<processing-status>`
document (the responder settings.API_ERROR_LAYOUTS names for the prefix); elsewhere plain text."""

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils.module_loading import import_string

from sipxweb.rest.errors import error_response

REST_PREFIX = "/sipxconfig/rest/"
CALLCONTROLLER_PREFIX = "/callcontroller/"
API_PREFIXES = (REST_PREFIX, CALLCONTROLLER_PREFIX)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Control characters in percent-decoded UTF-8 bytes: C0 and DEL as single bytes, C1 as \xc2\x80-\xc2\x9f.
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]|\xc2[\x80-\x9f]")
_RANGE_OK = re.compile(r"^[\x20-\x7e]*$")
_LONG_NUMBER = re.compile(r"\d{19}")


def is_api(path: str) -> bool:
    # A prefix with an error layout of its own (settings.API_ERROR_LAYOUTS) is an API too: its clients are
    # programs, so a control character is refused there, never dropped as from a page's search box.
    return path.startswith(API_PREFIXES) or path.startswith(tuple(settings.API_ERROR_LAYOUTS))


def _refuse(request, status: int, message: str, code: str) -> HttpResponse:
    # An API with an error layout of its own (the call controller's <processing-status>, whose clients parse it
    # whatever the refusal) names its responder in settings.API_ERROR_LAYOUTS: this gate imports no app.
    for prefix, responder in settings.API_ERROR_LAYOUTS.items():
        if request.path_info.startswith(prefix):
            return import_string(responder)(status, message)
    if is_api(request.path_info):
        return error_response(status, message, code)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _mebibytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _view_class(view_func):
    return getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)


def body_limit(view_func) -> int:
    """The most bytes the view accepts: its own `max_body_bytes`, else the REST or page default."""
    from sipxweb.rest.views import WireView

    declared = getattr(view_func, "max_body_bytes", None)
    cls = _view_class(view_func)
    if declared is None and cls is not None:
        declared = getattr(cls, "max_body_bytes", None)
    if declared is not None:
        return declared
    if (cls is not None and issubclass(cls, WireView)) or getattr(view_func, "rest_api", False):
        return settings.REST_MAX_BODY_BYTES
    return settings.PAGE_MAX_BODY_BYTES


def _own_origins(request) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    origins.update(o.lower() for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o)
    return origins


def _trusted_wildcard(origin: str) -> bool:
    # CSRF_TRUSTED_ORIGINS may name `https://*.example.org`, as Django's CSRF check allows.
    for pattern in settings.CSRF_TRUSTED_ORIGINS:
        if "*" in pattern:
            scheme, _, host = pattern.lower().partition("://*")
            if origin.startswith(scheme + "://") and origin.endswith(host):
                return True
    return False


def _drop_control_characters(request, query: str) -> None:
    """An HTML page's query (a search or filter box) without its control characters: what the person meant to
    search for. The query string itself is rewritten too, so links built from it carry the cleaned values."""
    cleaned = QueryDict(mutable=True)
    for name, values in QueryDict(query).lists():
        cleaned.setlist(_CONTROL_TEXT.sub("", name), [_CONTROL_TEXT.sub("", value) for value in values])
    request.META["QUERY_STRING"] = cleaned.urlencode()
    request.GET = QueryDict(request.META["QUERY_STRING"])


class RequestBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.check(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def check(self, request) -> HttpResponse | None:
        path = request.path_info
        if len(path) > settings.MAX_PATH_CHARS:
            return _refuse(
                request, 414, f"The path is longer than {settings.MAX_PATH_CHARS} characters.", "uri_too_long"
            )
        controller = path.startswith(CALLCONTROLLER_PREFIX)
        if _CONTROL_TEXT.search(path):
            if controller:
                return _refuse(request, 400, "Bad parameter: the path contains a control character.", "invalid")
            return _refuse(
                request, 404, "There is no resource at this path: it contains a control character.", "not_found"
            )
        query = request.META.get("QUERY_STRING", "")
        if len(query) > settings.MAX_QUERY_CHARS:
            return _refuse(
                request, 414, f"The query string is longer than {settings.MAX_QUERY_CHARS} characters.", "uri_too_long"
            )
        if query and _CONTROL_BYTES.search(unquote_to_bytes(query.replace("+", " "))):
            if not is_api(path):
                _drop_control_characters(request, query)
            elif controller:
                return _refuse(
                    request, 400, "Bad parameter: a query parameter contains a control character.", "invalid"
                )
            else:
                return _refuse(request, 400, "A query parameter contains a control character.", "invalid")
        header_bytes = sum(
            len(k) + len(v) for k, v in request.META.items() if k.startswith("HTTP_") and isinstance(v, str)
        )
        if header_bytes > settings.MAX_HEADER_BYTES:
            return _refuse(
                request,
                431,
                f"The request headers are larger than {settings.MAX_HEADER_BYTES} bytes together.",
                "headers_too_large",
            )
        ranges = request.META.get("HTTP_RANGE")
        if ranges is not None and (not _RANGE_OK.match(ranges) or _LONG_NUMBER.search(ranges)):
            del request.META["HTTP_RANGE"]
        if request.method in UNSAFE_METHODS and is_api(path):
            origin = request.META.get("HTTP_ORIGIN")
            if origin is not None:
                origin = origin.strip().lower()
                if origin not in _own_origins(request) and not _trusted_wildcard(origin):
                    return _refuse(
                        request,
                        403,
                        f"Requests that change data are not accepted from another site (Origin {origin[:100]}).",
                        "permission_denied",
                    )
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = body_limit(view_func)
        if _content_length(request) > limit:
            return _refuse(
                request,
                413,
                f"The request body is larger than the {_mebibytes(limit)} this URI accepts.",
                "too_large",
            )
        return None
