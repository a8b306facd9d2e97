"""`GET /my/conferences` (docs/compatibility.md B.3.11): the caller's conferences."""

from drf_spectacular.utils import OpenApiResponse, extend_schema

from apps.conferences import services
from sipxweb.rest.views import WireView
from sipxweb.rest.xstream import XList


def conference_wire(conference) -> dict:
    """Wire order of 4.6: enabled, name, description, extension, accessCode; None is omitted."""
    return {
        "enabled": conference.enabled,
        "name": conference.name,
        "description": conference.description,
        "extension": conference.extension,
        "accessCode": conference.access_code,
    }


class MyConferencesView(WireView):
    wire_root = "conferences"

    @extend_schema(
        responses={200: OpenApiResponse(description="<conferences><conference>...")}, summary="My conferences"
    )
    def get(self, request, **kwargs):
        conferences = services.owned_by(request.user).only("enabled", "name", "description", "extension", "access_code")
        return self.document(XList("conference", [conference_wire(c) for c in conferences]))
