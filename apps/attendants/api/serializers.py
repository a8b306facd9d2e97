"""Wire forms of the auto-attendant URIs (docs/compatibility.md B.2.5, B.2.6)."""

from rest_framework import serializers

from sipxweb.rest.xstream import XList

# The XStream root aliases of the two documents.
ATTENDANTS_ROOT = "autoAttendants"
SPECIAL_MODE_ROOT = "specialAttendant"


class AutoAttendantSerializer(serializers.Serializer):
    """`name`, `systemId` (omitted for user attendants), `specialSelected`. Context: `selected_id` = the
    special attendant's id while special mode is on, else None."""

    name = serializers.CharField()
    systemId = serializers.CharField(source="system_id")
    specialSelected = serializers.SerializerMethodField()

    def get_specialSelected(self, attendant):
        return attendant.pk == self.context.get("selected_id")


def attendant_list(attendants, selected_id: int | None) -> XList:
    """GET /auto-attendant: one `<autoAttendant>` per attendant; `selected_id` as AutoAttendantSerializer's."""
    data = AutoAttendantSerializer(attendants, many=True, context={"selected_id": selected_id}).data
    return XList("autoAttendant", data)


class SpecialModeSerializer(serializers.Serializer):
    specialMode = serializers.BooleanField(source="enabled")
