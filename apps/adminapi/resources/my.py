"""/api/v1/my/...: the authenticated user's own availability (apps/users/availability.py): GET/PUT
/api/v1/my/availability (do not disturb, forward all, until) and /api/v1/my/away-periods (list, create) and
/api/v1/my/away-periods/{id} (read, replace, change, delete). Any enabled user, with their PIN (Basic or Digest), their
browser session or one of their own tokens (a read-only token reads); always the caller's own data: another user's
period is a 404, as one that does not exist. The wire keys are the data file's (apps/pbxdata/sections/users.py)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.adminapi import base, numbered
from apps.adminapi.numbered import ID
from apps.adminapi.openapi.dialect import oas30
from apps.adminapi.permissions import IsApiUser
from apps.pbxdata.schema import PbxDataError, check_keys, json_schema
from apps.pbxdata.sections import users as section
from apps.users import availability
from apps.users.models import AwayPeriod
from apps.users.services import first_error
from sipxweb.rest.permissions import read_only_token

# What GET /my/availability adds to the three switches: what applies now (read-only; a PUT may send them back).
READ_ONLY = ("now", "activeAwayPeriod", "nextAwayPeriod")


class IsApiUserWriting(IsApiUser):
    """Any enabled user; a read-only token only reads."""

    def has_permission(self, request, view):
        if read_only_token(request) and request.method not in SAFE_METHODS:
            self.message = "This API token is read-only."
            return False
        return super().has_permission(request, view)


def _iso(value):
    return value.isoformat() if value is not None else None


def _occurrence(occ) -> dict | None:
    if occ is None:
        return None
    return {ID: occ.period.pk, "start": _iso(occ.start), "end": _iso(occ.end), "greeting": occ.period.greeting}


def represent_availability(user, when=None) -> dict:
    when = when or timezone.now()
    state = availability.availability_at(user, when)
    return {
        "dnd": state.dnd,
        "forwardAll": state.forward_all,
        "until": _iso(state.until),
        "now": {
            "at": when.isoformat(),
            "reason": state.reason or "normal",
            "forwardTo": state.forward_to,
            "voicemailOnly": state.voicemail_only,
            "greeting": state.greeting,
        },
        "activeAwayPeriod": _occurrence(state.away),
        "nextAwayPeriod": _occurrence(availability.next_away(user, when)),
    }


AVAILABILITY_BODY = oas30(
    {
        **json_schema(section.AVAILABILITY),
        "description": "Do not disturb and forward all calls to a number (null: off), both until `until` (null: until "
        "switched off; a time in the past is refused). A key left out is off.",
        "example": {"dnd": True, "forwardAll": None, "until": "2026-12-24T18:00:00+01:00"},
    }
)
AVAILABILITY_SCHEMA = {
    "type": "object",
    "properties": {
        **AVAILABILITY_BODY["properties"],
        "now": {
            "type": "object",
            "readOnly": True,
            "description": "What applies now: reason dnd, forward, away or normal; where calls ring instead of your "
            "phones (forwardTo); whether they go straight to voicemail; the away period's greeting",
        },
        "activeAwayPeriod": {"type": "object", "nullable": True, "readOnly": True},
        "nextAwayPeriod": {"type": "object", "nullable": True, "readOnly": True},
    },
}


class AvailabilityView(base.ApiView, APIView):
    permission_classes = [IsApiUserWriting]

    @extend_schema(summary="My availability now", responses={200: AVAILABILITY_SCHEMA}, tags=["my"])
    def get(self, request):
        return Response(represent_availability(request.user))

    @extend_schema(
        summary="Set do not disturb and forward all",
        request={"application/json": AVAILABILITY_BODY},
        responses={200: AVAILABILITY_SCHEMA},
        tags=["my"],
    )
    def put(self, request):
        body = request.data
        check_keys(body, "", [*section.AVAILABILITY.fields, *READ_ONLY])
        item = section.AVAILABILITY({k: v for k, v in body.items() if k not in READ_ONLY}, "")
        try:
            availability.set_availability(request.user, item["dnd"], item["forwardAll"], item["until"])
        except ValidationError as exc:
            error = first_error(exc)
            key = {"forward_all": "forwardAll"}.get(error.field, error.field)
            raise PbxDataError(key, " ".join(error.messages)) from None
        return Response(represent_availability(request.user))


# ---- away periods ----------------------------------------------------------------------------------------------


@numbered.documented(
    description="An away period: from `start` to `end`, wall-clock times in `timeZone` (by default yours; a time with "
    'an offset is converted into it), once or, with `recurrence` {"frequency": "weekly", "until": <last day> or '
    "null}, every week at the same local times (an end before the start's time of day: the next day). During it "
    "calls ring `forwardTo`, or go to voicemail when it is null, and the voicemail plays `greeting`. An overlap "
    "with another of your periods is 400.",
    example={
        "start": "2026-12-04T14:00",
        "end": "2026-12-04T18:00",
        "recurrence": {"frequency": "weekly", "until": None},
        "forwardTo": None,
        "greeting": "outofoffice",
    },
    tag="my",
    summaries=numbered.Summaries(
        list="My away periods",
        create="Add an away period (an overlap with another of yours is 400)",
        retrieve="One of my away periods",
        update="Replace an away period (keys left out take their defaults)",
        partial_update="Change an away period",
        destroy="Delete an away period",
    ),
    if_match=False,
)
class AwayPeriodViewSet(numbered.NumberedViewSet):
    permission_classes = [IsApiUserWriting]
    item = section.AWAY_PERIOD
    noun = "period"
    not_found = "You have no away period {}."

    def queryset(self, request):
        # Only the caller's own: another user's period is a 404, as one that does not exist.
        return AwayPeriod.objects.filter(user=request.user).order_by("start", "id")

    def dump(self, period):
        return section.dump_period(period)

    def save(self, request, item, row=None):
        checked = section.AWAY_PERIOD(item, "")
        try:
            return availability.save_period(request.user, section.period_data(checked), row)
        except ValidationError as exc:
            raise section.period_refused(exc, "") from None

    def remove(self, request, period):
        availability.delete_period(period)
