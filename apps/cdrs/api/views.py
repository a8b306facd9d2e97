"""Active calls (B.2.4 admin, B.3.13 the caller's own) and call-state event ingestion (`POST /cse`)."""

from django.conf import settings
from django.db import DatabaseError
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError

from apps.cdrs import resolver, services
from apps.cdrs.api import serializers
from apps.users.models import User
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.views import WireView, empty_ok


class _ActiveCdrsBase(WireView):
    wire_root = serializers.CDRS_ROOT

    def answer(self, username: str):
        return self.document(serializers.active_cdrs(services.active_calls(username)))


class MyActiveCdrsView(_ActiveCdrsBase):
    """The caller's active calls; `duration` is computed now."""

    @extend_schema(summary="The caller's active calls", responses={200: OpenApiResponse(description="cdrs")})
    def get(self, request, **kwargs):
        return self.answer(request.user.username)


class ActiveCdrsView(_ActiveCdrsBase):
    """Active calls of any user (admin). `{user}` is the canonical user name; unknown -> 404 (D15)."""

    permission_classes = [IsPbxAdmin]

    @extend_schema(summary="Active calls of a user", responses={200: OpenApiResponse(description="cdrs")})
    def get(self, request, user, **kwargs):
        if "\x00" in user or not User.objects.filter(username=user).exists():
            raise NotFound(f"There is no user {user}.")
        return self.answer(user)


# ---- ingestion ---------------------------------------------------------------------------------------


class CallStateEventsView(WireView):
    """`POST /sipxconfig/rest/cse`: a proxy or PBX adapter feeds call-state events (admin credentials).
    JSON (a list, or `{"call-state-events": [...]}`) or XML (`<call-state-events><call-state-event>...`),
    fields named like sipXproxy's `call_state_events` columns. Any bad event -> 400 and nothing stored.
    Besides admins, the bundled SIP proxy posts its dialogs' events with its service credential (the class
    CSE_SERVICE_PERMISSION names), which opens nothing else; its events of a call it never reported (no R) are
    logged and ignored, still answered 200 (resolver.store)."""

    permission_classes = [IsPbxAdmin | import_string(settings.CSE_SERVICE_PERMISSION)]
    parser_classes = []  # the body is read here: a bare JSON list is accepted too

    @extend_schema(
        summary="Ingest call-state events", request=None, responses={200: OpenApiResponse(description="Stored")}
    )
    def post(self, request, **kwargs):
        raw = serializers.parse_events(request._request.body, request.META.get("CONTENT_TYPE", ""))
        if len(raw) > 10000:
            raise ValidationError("At most 10000 events per request.")
        events = [serializers.clean_event(item, f"events[{i}]") for i, item in enumerate(raw)]
        # Only the proxy's credential gets here without being an admin: its events of unknown calls are dropped.
        from_proxy = not IsPbxAdmin().has_permission(request, self)
        try:
            resolver.store(events, known_calls_only=from_proxy)
        except DatabaseError:
            raise ValidationError("The events could not be stored (a value does not fit).") from None
        return empty_ok()
