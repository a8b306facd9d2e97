"""/api/v1/attendants, /api/v1/attendants/{name}/prompt and /api/v1/special-mode: the data file's auto-attendants
(apps/pbxdata/sections/attendants.py holds their keys: name, systemId, description, language, the menu with its
key/action/parameter rows, digitTimeout, maxInvalid, onFailure) and its special mode (enabled, attendant), stored
through apps.attendants.services as the attendant pages, the sipXconfig /auto-attendant URIs and the data file store
them, and recorded in the audit log there.

* An attendant's URL key is its `name`, which cannot change here (the editor page renames). `systemId` marks the
  two system attendants (operator, afterhour): it is read-only, and they cannot be deleted (409).
* The prompt is a part of its own: `PUT .../prompt` (multipart/form-data, the field `file`: a .wav or .mp3 file of
  at most 20 MB, as the editor page takes it), `GET` (the file, with byte ranges), `DELETE`. The data file's
  `prompt` key (the stored file's name) is never shown nor taken by /attendants.
* /special-mode: `{"enabled", "attendant"}` (the attendant by name); PUT gives both (a key left out is at its
  default: off, none selected), PATCH the keys to change. On with no attendant selects `afterhour` (D11), as PUT
  /auto-attendant/specialmode does. Administrators and attendant administrators, as on the sipXconfig URI and the
  attendant list page. `enabled` is the manual switch.
* /special-mode/schedule[/{id}]: the periods of the special-mode schedule (the data file's `specialMode.schedule`
  items, with the `id` the server gives): list, create, read, replace, change, delete, through
  apps.attendants.services.save_period / delete_period (an overlap is 400).
* /special-mode/now: whether special mode is on at an instant (now, or `?at=`), why, and when that next changes:
  apps.attendants.schedule.special_mode_at, the function the routing asks."""

import mimetypes
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.adminapi import base, numbered
from apps.adminapi.numbered import IF_MATCH
from apps.adminapi.openapi.keys import key_parameter
from apps.adminapi.resource import Resource
from apps.attendants import schedule, services
from apps.attendants.filtersets import AutoAttendantFilterSet
from apps.attendants.models import AutoAttendant, SpecialMode, SpecialModePeriod
from apps.pbxdata.schema import PbxDataError, check_keys, json_schema, show
from apps.pbxdata.sections import attendants as section
from sipxweb import mediafiles
from sipxweb.ranges import file_response
from sipxweb.rest.errors import Conflict
from sipxweb.rest.permissions import IsAttendantAdmin

PROMPT_KEY = "prompt"
SYSTEM_KEY = "systemId"
FILE_FIELD = "file"
assert {PROMPT_KEY, SYSTEM_KEY} <= set(section.ATTENDANT.fields)  # the section's names, not copies that drift


class Attendants(Resource):
    name = "attendants"
    kind = services.KIND
    key = "name"
    lookup = "name"
    item = section.ATTENDANT
    hidden = (PROMPT_KEY,)  # served by /attendants/{name}/prompt
    filterset_class = AutoAttendantFilterSet
    ordering = {"name": "name", "description": "description", "language": "language"}
    default_order = ("id",)  # as the list page and the data file: the system attendants first
    example = {
        "name": "Sales",
        "description": "Sales menu",
        "menu": [{"key": "1", "action": "transfer_out", "parameter": "201"}, {"key": "0", "action": "operator"}],
    }

    def queryset(self):
        return AutoAttendant.objects.prefetch_related("menu")

    def represent(self, attendant):
        return section.dump_attendant(attendant)

    def kept(self, attendant):
        # A replacing PUT leaves out what it may not change: the prompt (its own URI) and the system id.
        return {PROMPT_KEY: attendant.prompt.name or None, SYSTEM_KEY: attendant.system_id}

    def validate(self, item, path):
        return section.ATTENDANT(item, path)

    def save(self, checked):
        stored = {a.name: a for a in AutoAttendant.objects.filter(name__in=[c["name"] for c in checked])}
        batch, seen = [], set()
        for i, item in enumerate(checked):
            if item["name"] in seen:
                raise PbxDataError(f"[{i}].name", f"attendant {show(item['name'])} is listed twice")
            seen.add(item["name"])
            row = stored.get(item["name"])
            system_id = row.system_id if row is not None else None
            if item[SYSTEM_KEY] != system_id:
                raise PbxDataError(
                    f"[{i}].{SYSTEM_KEY}",
                    f"is {show(system_id)} and cannot change: only the system's own attendants (operator, afterhour) "
                    "have one",
                )
            batch.append((section.fill(row or AutoAttendant(), item), section.menu_of(item)))
        try:
            return services.save_attendants(batch)
        except services.AttendantError as exc:
            raise section.refused(exc, f"[{exc.item}]") from None

    def delete(self, attendant):
        try:
            services.delete_attendant(attendant)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages)) from None


def _attendant(name: str, for_update: bool = False) -> AutoAttendant:
    queryset = AutoAttendant.objects.select_for_update() if for_update else AutoAttendant.objects
    attendant = queryset.filter(name=name).first()
    if attendant is None:
        raise Http404(f"There is no attendant {show(name)}.")
    return attendant


# ---- the prompt -----------------------------------------------------------------------------------------------

PROMPT_UPLOAD = {
    "type": "object",
    "properties": {
        FILE_FIELD: {
            "type": "string",
            "format": "binary",
            "description": f"The prompt: a .{' or .'.join(services.PROMPT_EXTENSIONS)} file of at most "
            f"{services.PROMPT_MAX_BYTES // (1024 * 1024)} MB, or a browser's WebM, Ogg or MP4 recording (stored as "
            "WAV).",
        }
    },
    "required": [FILE_FIELD],
    "additionalProperties": False,
}
NAME_PARAMETER = key_parameter("name", "The attendant's name")


class AttendantPromptView(base.ApiView, APIView):
    """The prompt of one attendant: upload (multipart), download, remove, through services.save_attendant as the
    editor page saves its prompt field."""

    def perform_content_negotiation(self, request, force=False):
        # The prompt is answered whatever the Accept (an audio player asks for audio/*); errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="An attendant's prompt",
        parameters=[NAME_PARAMETER],
        responses={(200, "audio/*"): OpenApiResponse(description="The prompt file (byte ranges: 206, 416)")},
        tags=["attendants"],
    )
    def get(self, request, name):
        attendant = _attendant(name)
        if not attendant.prompt:
            raise Http404(f"The attendant {show(name)} has no prompt.")
        try:
            return file_response(
                request, attendant.prompt, _content_type(attendant.prompt.name), attendant.prompt.name.split("/")[-1]
            )
        except FileNotFoundError:
            raise Http404("The prompt file is missing from media storage.") from None

    @extend_schema(
        summary="Upload an attendant's prompt (multipart/form-data, the field file)",
        parameters=[NAME_PARAMETER],
        request={"multipart/form-data": PROMPT_UPLOAD},
        responses={204: OpenApiResponse(description="Stored; the previous prompt is gone")},
        tags=["attendants"],
    )
    def put(self, request, name):
        uploads = request.FILES.getlist(FILE_FIELD)
        if not uploads:
            raise PbxDataError(
                FILE_FIELD, "send the prompt (a .wav or .mp3 file) as the multipart/form-data field file"
            )
        if len(uploads) > 1:
            raise PbxDataError(FILE_FIELD, "send one file, not several")
        check_keys(dict(request.data), "", [FILE_FIELD])
        with mediafiles.atomic():  # a refused save removes the file it wrote
            attendant = _attendant(name, for_update=True)
            attendant.prompt = uploads[0]
            try:
                services.save_attendant(attendant)
            except ValidationError as exc:
                raise _refused(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Remove an attendant's prompt (the system prompt plays)",
        parameters=[NAME_PARAMETER],
        responses={204: OpenApiResponse(description="Removed")},
        tags=["attendants"],
    )
    def delete(self, request, name):
        with transaction.atomic():
            attendant = _attendant(name, for_update=True)
            if not attendant.prompt:
                raise Http404(f"The attendant {show(name)} has no prompt.")
            attendant.prompt = ""
            try:
                services.save_attendant(attendant)
            except ValidationError as exc:
                raise _refused(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _refused(exc: ValidationError) -> PbxDataError:
    """The prompt's refusal under `file`; another field's (a stored attendant the model's rules refuse now) under
    its data file key."""
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        where = FILE_FIELD if field == PROMPT_KEY else section.KEYS.get(field, field)
        return PbxDataError(where, " ".join(messages).rstrip("."))
    return PbxDataError(FILE_FIELD, " ".join(exc.messages).rstrip("."))


# ---- special mode ---------------------------------------------------------------------------------------------

SPECIAL_SCHEMA = {
    **json_schema(section.SPECIAL),
    "required": list(section.SPECIAL.fields),
    "description": "The special (after-hours) mode: on or off, and the attendant (by name) that answers the "
    "attendant numbers while it is on.",
}
SPECIAL_BODY = {
    **json_schema(section.SPECIAL),
    "description": "On with no attendant selects afterhour (D11). PUT: a key left out is at its default.",
}


def _special() -> dict:
    return section.special_of(SpecialMode.current())


class SpecialModeView(base.ApiView, APIView):
    """GET, PUT and PATCH the special mode through services.set_special_mode."""

    # As PUT /auto-attendant/specialmode and the attendant list page: attendant administrators too.
    permission_classes = [IsAttendantAdmin]

    @extend_schema(
        summary="The special (after-hours) mode",
        responses={200: SPECIAL_SCHEMA},
        tags=["special-mode"],
    )
    def get(self, request):
        return base.conditional_get(request, _special())

    @extend_schema(
        summary="Set the special mode",
        request={"application/json": SPECIAL_BODY},
        responses={200: SPECIAL_SCHEMA},
        parameters=[IF_MATCH],
        tags=["special-mode"],
    )
    def put(self, request):
        return self._change(request, partial=False)

    @extend_schema(
        summary="Change the special mode",
        request={"application/json": SPECIAL_BODY},
        responses={200: SPECIAL_SCHEMA},
        parameters=[IF_MATCH],
        tags=["special-mode"],
    )
    def patch(self, request):
        return self._change(request, partial=True)

    def _change(self, request, partial: bool) -> Response:
        body = request.data
        check_keys(body, "", section.SPECIAL.fields)
        with transaction.atomic():
            # Locked before the ETag is compared: two changes from the same version cannot both pass.
            SpecialMode.objects.select_for_update().get_or_create(pk=1)
            current = _special()
            base.check_if_match(request, base.etag_of(current))
            item = section.SPECIAL({**current, **body} if partial else body, "")
            attendant = None
            if item["attendant"] is not None:
                attendant = AutoAttendant.objects.filter(name=item["attendant"]).first()
                if attendant is None:
                    raise PbxDataError("attendant", f"there is no attendant {show(item['attendant'])}")
            services.set_special_mode(item["enabled"], attendant)
        representation = _special()
        return base.with_etag(Response(representation), representation)


# ---- the special-mode schedule -----------------------------------------------------------------------------------


@numbered.documented(
    description="A period of the special-mode schedule, in the PBX's time zone: weekly on `weekdays` from `start` to "
    '`end` ("18:00" to "08:00": the next morning), or, with no weekdays, one-off from `start` to `end` '
    '("2026-12-24T00:00" to "2027-01-03T00:00"); the end is not included.',
    example={"name": "night", "weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00", "end": "08:00"},
    tag="special-mode",
    summaries=numbered.Summaries(
        list="The special-mode schedule",
        create="Add a period (an overlap with a period of its kind is 400)",
        retrieve="A period of the special-mode schedule",
        update="Replace a period (keys left out take their defaults)",
        partial_update="Change a period",
        destroy="Delete a period",
    ),
    if_match=True,
)
class SpecialModeScheduleViewSet(numbered.NumberedViewSet):
    """The schedule's periods: list (oldest first, limit/offset), create, read with an ETag, replace and change with
    If-Match, delete."""

    permission_classes = [IsAttendantAdmin]
    item = section.PERIOD
    noun = "period"
    not_found = "There is no special-mode period {}."

    def queryset(self, request):
        return SpecialModePeriod.objects.order_by("id")

    def dump(self, period):
        return section.dump_period(period)

    def save(self, request, item, row=None):
        period = section.period_of(section.PERIOD(item, ""), "", row)
        try:
            return services.save_period(period)
        except services.PeriodError as exc:
            raise section.period_refused(exc, "") from None

    def remove(self, request, period):
        services.delete_period(period)


NOW_SCHEMA = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time", "description": "The instant asked about"},
        "on": {"type": "boolean"},
        "reason": {
            "type": "string",
            "enum": ["manual", "schedule", "off"],
            "description": "manual: the switch is on; schedule: inside `period`; off",
        },
        "period": {"type": "string", "nullable": True, "description": "The name of the period special mode is in"},
        "periodId": {"type": "integer", "nullable": True},
        "attendant": {"type": "string", "nullable": True, "description": "The attendant that plays while on"},
        "nextChange": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "When the schedule turns special mode the other way next (null: the switch is on, or no "
            "change is scheduled)",
        },
        "nextPeriod": {"type": "string", "nullable": True, "description": "The period that starts then"},
    },
    "required": ["at", "on", "reason", "period", "periodId", "attendant", "nextChange", "nextPeriod"],
}


def state_representation(state: schedule.SpecialState) -> dict:
    def iso(when):
        return None if when is None else when.astimezone(schedule.zone()).isoformat()

    return {
        "at": iso(state.when),
        "on": state.on,
        "reason": state.reason or "off",
        "period": state.period.name if state.period else None,
        "periodId": state.period.pk if state.period else None,
        "attendant": state.attendant.name if state.attendant else None,
        "nextChange": iso(state.next_change),
        "nextPeriod": state.next_period.name if state.next_period else None,
    }


class SpecialModeNowView(base.ApiView, APIView):
    """Is special mode on (now, or at `?at=`), why, and when does it change: what the routing answers."""

    permission_classes = [IsAttendantAdmin]

    @extend_schema(
        summary="Is special mode on now, and why",
        parameters=[
            OpenApiParameter(
                "at",
                str,
                description="An instant in ISO 8601 with its offset (2026-12-24T10:00:00+01:00); now when left out",
            )
        ],
        responses={200: NOW_SCHEMA},
        tags=["special-mode"],
    )
    def get(self, request):
        raw = request.query_params.get("at")
        when = None
        if raw is not None:
            try:
                when = datetime.fromisoformat(raw)
            except ValueError:
                when = None
            if when is None or when.tzinfo is None:
                raise PbxDataError(
                    "at", f"{show(raw)} is not an instant with its offset, such as 2026-12-24T10:00:00+01:00"
                )
        return Response(state_representation(schedule.special_mode_at(when, with_next=True)))
