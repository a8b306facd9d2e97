"""The call controller's error document (B.4 `<processing-status>`) as a response: its views answer every refusal
with it, and so does the request gate in front of them (sipxweb.bounds, through settings.API_ERROR_LAYOUTS),
because call-controller clients parse sipXrest's error document whatever the refusal."""

from django.http import HttpResponse

from apps.callcontrol.api.serializers import processing_status


def processing_status_response(status: int, text: str, code: int | None = None) -> HttpResponse:
    """HTTP `status` with the error document; `code` is its <error-code> when sipXrest's differs from the status."""
    return HttpResponse(processing_status(code or status, text), status=status, content_type="text/xml; charset=utf-8")
