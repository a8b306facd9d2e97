"""The base of every sipXconfig URI view."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from sipxweb.rest.errors import error_response
from sipxweb.rest.xstream import Document


def empty_ok() -> HttpResponse:
    """sipXconfig's success for PUT/POST: 200, empty body, no Content-Type (B.1.6)."""
    response = HttpResponse(status=200)
    del response["Content-Type"]
    return response


def no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


class WireView(APIView):
    # A sipXconfig URI. Subclasses set `wire_root` (the XStream root alias of their document),
    # `renderer_classes` in the spec's variant order, and `permission_classes`.
    # `allow_empty_put`: sipXconfig answered 400 "Missing request entity" to a PUT with Content-Length 0
    # (B.1.6); URIs that take no body (D5) set this to True.
    # (A comment, not a docstring: the OpenAPI description of every URI would inherit a docstring.)

    # `max_body_bytes`: the largest request body this URI takes (sipxweb.bounds answers 413 above it);
    # None means settings.REST_MAX_BODY_BYTES.

    wire_root: str = ""
    allow_empty_put = False
    max_body_bytes: int | None = None

    def document(self, value) -> Response:
        return Response(Document(self.wire_root, value))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if (
            request.method == "PUT"
            and hasattr(self, "put")
            and not self.allow_empty_put
            and not request._request.body.strip()
        ):
            raise ParseError("Missing request entity: this PUT needs a body.")

    def options(self, request, *args, **kwargs):
        # 200 with the methods in `Allow` and no body. DRF's default describes the view as a dict, which the
        # XStream renderers cannot write (a 500), and the description would be nothing sipXconfig sent.
        response = HttpResponse(status=200)
        del response["Content-Type"]
        response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        media_type = getattr(request, "accepted_media_type", None)
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and renderer is not None and media_type and media_type != renderer.media_type:
            # The client asked for an alias (application/xml): answer with the type it named (A.1).
            response.content_type = f"{media_type}; charset={renderer.charset}"
        return response


# Any path, including one with a newline (`.` alone would not match it and Django would answer its HTML 404).
NOT_FOUND_PATTERN = r"^[\s\S]*\Z"


@csrf_exempt  # there is nothing to protect, and the CSRF failure page would be HTML, not the D1 body
def rest_not_found(request, *args, **kwargs):
    """Unknown paths under /sipxconfig/rest/ answer 404 with the D1 body, whatever the method."""
    return error_response(404, f"There is no resource at {request.path}.", "not_found")


rest_not_found.rest_api = True  # its body limit is the REST one (sipxweb.bounds)
