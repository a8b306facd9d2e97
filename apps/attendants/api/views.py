"""Auto-attendant URIs: the list, the special mode and the special attendant (B.2.5-2.7, D11, D12)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema

from apps.attendants import services
from apps.attendants.api.serializers import (
    ATTENDANTS_ROOT,
    SPECIAL_MODE_ROOT,
    AutoAttendantSerializer,
    SpecialModeSerializer,
    attendant_list,
)
from apps.attendants.models import AutoAttendant, SpecialMode
from sipxweb.rest.errors import Conflict
from sipxweb.rest.permissions import IsAttendantAdmin
from sipxweb.rest.views import WireView, no_content


class AutoAttendantListView(WireView):
    wire_root = ATTENDANTS_ROOT
    permission_classes = [IsAttendantAdmin]

    @extend_schema(responses=AutoAttendantSerializer(many=True), summary="Auto-attendants")
    def get(self, request, **kwargs):
        mode = SpecialMode.current()
        selected = mode.attendant_id if mode.enabled else None
        attendants = AutoAttendant.objects.only("id", "name", "system_id")
        return self.document(attendant_list(attendants, selected))


class SpecialModeView(WireView):
    """GET the mode; PUT turns it on (afterhour selected if nothing is), DELETE off (selection kept)."""

    wire_root = SPECIAL_MODE_ROOT
    permission_classes = [IsAttendantAdmin]
    allow_empty_put = True  # the body was always ignored; an empty one is no reason to refuse

    @extend_schema(responses=SpecialModeSerializer, summary="Is special (after-hours) mode on?")
    def get(self, request, **kwargs):
        return self.document(SpecialModeSerializer(SpecialMode.current()).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Special mode on")})
    def put(self, request, **kwargs):
        services.special_mode_on()
        return no_content()

    @extend_schema(responses={204: OpenApiResponse(description="Special mode off")})
    def delete(self, request, **kwargs):
        services.special_mode_off()
        return no_content()


class SpecialAttendantView(WireView):
    """PUT selects `{attendant}` as the special attendant; DELETE clears the selection (409 while on)."""

    permission_classes = [IsAttendantAdmin]
    allow_empty_put = True

    def attendant(self, name: str) -> AutoAttendant:
        found = services.resolve(name)
        if found is None:
            raise Http404(f'There is no auto-attendant "{name}" (give a system id, xcf<id> or a name).')
        return found

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Selected")})
    def put(self, request, attendant, **kwargs):
        services.select_special(self.attendant(attendant))
        return no_content()

    @extend_schema(responses={204: OpenApiResponse(description="Cleared"), 409: OpenApiResponse(description="On")})
    def delete(self, request, attendant, **kwargs):
        self.attendant(attendant)
        try:
            services.clear_special()
        except services.SpecialModeConflict as exc:
            raise Conflict(str(exc)) from None
        return no_content()
