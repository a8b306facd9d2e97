"""`GET /my/conferences` (docs/compatibility.md B.3.11): the caller's conferences."""

from drf_spectacular.utils import OpenApiResponse, extend_schema

from apps.conferences import services
from apps.conferences.api import serializers
from sipxweb.rest.views import WireView


class MyConferencesView(WireView):
    wire_root = serializers.CONFERENCES_ROOT

    @extend_schema(
        responses={200: OpenApiResponse(description="<conferences><conference>...")}, summary="My conferences"
    )
    def get(self, request, **kwargs):
        conferences = services.owned_by(request.user).only(*serializers.WIRE_FIELDS)
        return self.document(serializers.conference_list(conferences))
