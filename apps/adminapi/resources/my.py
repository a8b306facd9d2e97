"""/api/v1/my/...: the authenticated user's own availability (apps/users/availability.py): GET/PUT
/api/v1/my/availability (do not disturb, forward all, until) and /api/v1/my/away-periods (list, create) and
/api/v1/my/away-periods/{id} (read, replace, change, delete). Any enabled user, with their PIN (Basic or Digest), their
browser session or one of their own tokens (a read-only token reads); always the caller's own data: another user's
period is a 404, as one that does not exist. The wire keys are the data file's (apps/pbxdata/sections/users.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSet

from apps.adminapi import base
from apps.adminapi.openapi import oas30
from apps.adminapi.permissions import IsApiUser
from apps.pbxdata.schema import PbxDataError, check_keys, complete, json_schema, show
from apps.pbxdata.sections import users as section
from apps.users import availability
from apps.users.models import AwayPeriod
from apps.users.services import first_error
from sipxweb.rest.permissions import read_only_token

ID = "id"
MAX_ID = 2**62
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


def represent_period(period: AwayPeriod) -> dict:
    return {ID: period.pk, **complete(section.AWAY_PERIOD, section.dump_period(period))}


def period_schema(with_id: bool = True, partial: bool = False) -> dict:
    schema = oas30(json_schema(section.AWAY_PERIOD))
    schema["description"] = (
        "An away period: from `start` to `end`, wall-clock times in `timeZone` (by default yours; a time with an "
        'offset is converted into it), once or, with `recurrence` {"frequency": "weekly", "until": <last day> or '
        "null}, every week at the same local times (an end before the start's time of day: the next day). During it "
        "calls ring `forwardTo`, or go to voicemail when it is null, and the voicemail plays `greeting`. An overlap "
        "with another of your periods is 400."
    )
    schema["example"] = {
        "start": "2026-12-04T14:00",
        "end": "2026-12-04T18:00",
        "recurrence": {"frequency": "weekly", "until": None},
        "forwardTo": None,
        "greeting": "outofoffice",
    }
    if with_id:
        schema["properties"] = {ID: {"type": "integer", "readOnly": True}, **schema["properties"]}
    if partial:
        schema.pop("required", None)
    return schema


PERIOD_PAGE = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
        "results": {"type": "array", "items": period_schema()},
    },
}
PERIOD_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The period's id")


def _period(request, pk: str, for_update: bool = False) -> AwayPeriod:
    number = int(pk) if pk.isascii() and pk.isdigit() and len(pk) < 20 else 0
    queryset = AwayPeriod.objects.select_for_update() if for_update else AwayPeriod.objects
    period = queryset.filter(pk=number, user=request.user).first() if 0 < number <= MAX_ID else None
    if period is None:
        raise Http404(f"You have no away period {show(pk)}.")
    return period


def _save(request, item: dict, row: AwayPeriod | None = None) -> AwayPeriod:
    checked = section.AWAY_PERIOD(item, "")
    try:
        return availability.save_period(request.user, section.period_data(checked), row)
    except ValidationError as exc:
        raise section.period_refused(exc, "") from None


class AwayPeriodViewSet(base.ApiView, ViewSet):
    permission_classes = [IsApiUserWriting]
    pagination_class = base.Page

    @extend_schema(
        summary="My away periods",
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: PERIOD_PAGE},
        tags=["my"],
    )
    def list(self, request):
        paginator = self.pagination_class()
        periods = AwayPeriod.objects.filter(user=request.user).order_by("start", "id")
        rows = paginator.paginate_queryset(periods, request, view=self)
        return paginator.get_paginated_response([represent_period(p) for p in rows])

    @extend_schema(
        summary="Add an away period (an overlap with another of yours is 400)",
        request={"application/json": period_schema(with_id=False)},
        responses={201: period_schema()},
        tags=["my"],
    )
    def create(self, request):
        body = request.data
        if isinstance(body, dict) and ID in body:
            raise PbxDataError(ID, "is given by the server; leave it out")
        with transaction.atomic():
            period = _save(request, body)
        representation = represent_period(period)
        location = f"{request.path.rstrip('/')}/{period.pk}"
        response = Response(representation, status=status.HTTP_201_CREATED, headers={"Location": location})
        return base.with_etag(response, representation)

    @extend_schema(
        summary="One of my away periods", parameters=[PERIOD_ID], responses={200: period_schema()}, tags=["my"]
    )
    def retrieve(self, request, pk):
        representation = represent_period(_period(request, pk))
        return base.with_etag(Response(representation), representation)

    def _change(self, request, pk, partial: bool):
        with transaction.atomic():
            period = _period(request, pk, for_update=True)
            current = represent_period(period)
            base.check_if_match(request, base.etag_of(current))
            body = request.data
            check_keys(body, "", [ID, *section.AWAY_PERIOD.fields])
            if body.get(ID, period.pk) != period.pk:
                raise PbxDataError(ID, "is the period's id and cannot change")
            given = {k: v for k, v in body.items() if k != ID}
            current.pop(ID)
            period = _save(request, {**current, **given} if partial else given, period)
        representation = represent_period(period)
        return base.with_etag(Response(representation), representation)

    @extend_schema(
        summary="Replace an away period (keys left out take their defaults)",
        parameters=[PERIOD_ID],
        request={"application/json": period_schema()},
        responses={200: period_schema()},
        tags=["my"],
    )
    def update(self, request, pk):
        return self._change(request, pk, partial=False)

    @extend_schema(
        summary="Change an away period",
        parameters=[PERIOD_ID],
        request={"application/json": period_schema(partial=True)},
        responses={200: period_schema()},
        tags=["my"],
    )
    def partial_update(self, request, pk):
        return self._change(request, pk, partial=True)

    @extend_schema(
        summary="Delete an away period",
        parameters=[PERIOD_ID],
        responses={204: OpenApiResponse(description="Deleted")},
        tags=["my"],
    )
    def destroy(self, request, pk):
        with transaction.atomic():
            period = _period(request, pk, for_update=True)
            base.check_if_match(request, base.etag_of(represent_period(period)))
            availability.delete_period(period)
        return Response(status=status.HTTP_204_NO_CONTENT)
