"""POST /phone: bulk creation of phones (docs/compatibility.md B.2.3 with D13)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from apps.phones import services
from apps.phones.api.serializers import PhonesSerializer
from sipxweb import xmltext
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.renderers import PreRenderedXMLRenderer, XStreamJSONRenderer
from sipxweb.rest.views import WireView
from sipxweb.rest.xstream import Document, XList


def result_xml(result: services.BulkResult) -> str:
    lines = ["<phones-result>"]
    for serial, reason in result.outcomes:
        if reason is None:
            lines.append(f"  <created>{xmltext.text(serial)}</created>")
        else:
            lines.append(f'  <skipped reason="{xmltext.attribute(reason)}">{xmltext.text(serial)}</skipped>')
    if len(lines) == 1:
        return "<phones-result/>"
    lines.append("</phones-result>")
    return "\n".join(lines)


def result_document(result: services.BulkResult) -> Document:
    skipped = [{"serialNumber": serial, "reason": reason} for serial, reason in result.skipped]
    return Document(
        "phones-result", {"created": XList("serialNumber", result.created), "skipped": XList("phone", skipped)}
    )


class PhonesView(WireView):
    """Each phone is validated and created on its own; the answer lists what was created and what was
    skipped and why (D13). The original answered 200 with an empty body."""

    wire_root = "phones"
    permission_classes = [IsPbxAdmin]
    renderer_classes = [PreRenderedXMLRenderer, XStreamJSONRenderer]

    @extend_schema(request=PhonesSerializer, responses={200: OpenApiResponse(description="phones-result")})
    def post(self, request, **kwargs):
        serializer = PhonesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [
            services.PhoneData(
                serial_number=p["serial_number"], model=p["model"], description=p["description"], version=p["version"]
            )
            for p in serializer.validated_data["phone"]
        ]
        result = services.create_phones(items)
        if request.accepted_renderer.format == "json":
            return Response(result_document(result))
        return Response(result_xml(result))
