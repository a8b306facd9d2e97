"""Wire form of POST /phone (docs/compatibility.md B.2.3) and of its D13 result."""

from rest_framework import serializers

from sipxweb.rest.fields import RepeatedField, StrictSerializer

# Phones in one POST /phone: a provisioning batch; each phone is its own transaction (D13), so a request
# is bounded to keep it well inside the worker timeout.
MAX_PHONES_PER_POST = 1000


class PhoneSerializer(StrictSerializer):
    serialNumber = serializers.CharField(source="serial_number", max_length=64)
    model = serializers.CharField(max_length=64)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    version = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None, max_length=64)


class PhonesSerializer(StrictSerializer):
    """The body's root content: `{"phone": [...]}` (XML, Jettison) — a bare JSON list is accepted too."""

    phone = RepeatedField(
        child=PhoneSerializer(), allow_empty=True, required=False, default=list, max_length=MAX_PHONES_PER_POST
    )

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = {"phone": data}
        return super().to_internal_value(data)
