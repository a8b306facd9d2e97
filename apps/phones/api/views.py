"""POST /phone: bulk creation of phones (docs/compatibility.md B.2.3 with D13)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.phones import services
from apps.phones.api.serializers import PHONES_ROOT, PhonesSerializer, result_document, result_xml
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.renderers import PreRenderedXMLRenderer, XStreamJSONRenderer
from sipxweb.rest.views import WireView


class PhonesView(WireView):
    """Each phone is validated and created on its own; the answer lists what was created and what was
    skipped and why (D13). The original answered 200 with an empty body."""

    wire_root = PHONES_ROOT
    permission_classes = [IsPbxAdmin]
    renderer_classes = [PreRenderedXMLRenderer, XStreamJSONRenderer]

    @extend_schema(request=PhonesSerializer, responses={200: OpenApiResponse(description="phones-result")})
    def post(self, request, **kwargs):
        serializer = PhonesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.create_phones(serializer.phones())
        if request.accepted_renderer.format == "json":
            return Response(result_document(result))
        return Response(result_xml(result))
