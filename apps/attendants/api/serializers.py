"""Wire forms of the auto-attendant URIs (docs/compatibility.md B.2.5, B.2.6)."""

from rest_framework import serializers


class AutoAttendantSerializer(serializers.Serializer):
    """`name`, `systemId` (omitted for user attendants), `specialSelected`. Context: `selected_id` = the
    special attendant's id while special mode is on, else None."""

    name = serializers.CharField()
    systemId = serializers.CharField(source="system_id")
    specialSelected = serializers.SerializerMethodField()

    def get_specialSelected(self, attendant):
        return attendant.pk == self.context.get("selected_id")


class SpecialModeSerializer(serializers.Serializer):
    specialMode = serializers.BooleanField(source="enabled")
