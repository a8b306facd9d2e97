"""Wire form of POST /phone (docs/compatibility.md B.2.3) and of its D13 result."""

from rest_framework import serializers

from apps.phones.services import BulkResult, PhoneData
from sipxweb import xmltext
from sipxweb.rest.fields import RepeatedField, StrictSerializer
from sipxweb.rest.xstream import Document, XList

PHONES_ROOT = "phones"  # the root of the POST body

# Phones in one POST /phone: a provisioning batch; each phone is its own transaction (D13), so a request
# is bounded to keep it well inside the worker timeout.
MAX_PHONES_PER_POST = 1000
MAX_LINES_PER_PHONE = 64


class LineUsersField(RepeatedField):
    """`<line>` elements repeated inside a `<phone>` (one line's user each, in order), as `<phone>` repeats inside
    `<phones>`; one alone reads as its text, so a single name is a list of one."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data:
            data = [data]
        return super().to_internal_value(data)


class PhoneSerializer(StrictSerializer):
    serialNumber = serializers.CharField(source="serial_number", max_length=64)
    model = serializers.CharField(max_length=64)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    version = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None, max_length=64)
    # sipxweb's addition (sipXconfig's POST /phone took no lines): the line users in order, each a user name, alias
    # or IM id, checked by services.create_phone as on every other channel (an unknown one skips the phone, D13).
    # Bounded for the body's sake only: the model's own line count is the service's rule.
    line = LineUsersField(
        child=serializers.CharField(max_length=255), required=False, default=list, max_length=MAX_LINES_PER_PHONE
    )


class PhonesSerializer(StrictSerializer):
    """The body's root content: `{"phone": [...]}` (XML, Jettison) — a bare JSON list is accepted too."""

    phone = RepeatedField(
        child=PhoneSerializer(), allow_empty=True, required=False, default=list, max_length=MAX_PHONES_PER_POST
    )

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = {"phone": data}
        return super().to_internal_value(data)

    def phones(self) -> list[PhoneData]:
        """The validated phones, for services.create_phones."""
        return [
            PhoneData(
                serial_number=p["serial_number"],
                model=p["model"],
                description=p["description"],
                version=p["version"],
                lines=p["line"],
            )
            for p in self.validated_data["phone"]
        ]


def result_xml(result: BulkResult) -> str:
    """The D13 answer in XML: `<created>` and `<skipped reason="...">` serials in the order given."""
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


def result_document(result: BulkResult) -> Document:
    """The D13 answer in JSON: the created serials, then the skipped phones with their reasons."""
    skipped = [{"serialNumber": serial, "reason": reason} for serial, reason in result.skipped]
    return Document(
        "phones-result", {"created": XList("serialNumber", result.created), "skipped": XList("phone", skipped)}
    )
