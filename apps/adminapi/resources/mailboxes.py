"""/api/v1/mailboxes: every user's mailbox (its active greeting, recorded greetings and message counts), its messages
(list, read, move, mark heard, delete, download the recording) and its greetings (upload, download, remove). Every
change goes through apps.voicemail.services, as from the mailbox pages, the portal and the sipXconfig /mailbox URIs,
and is recorded in the audit log there.

Keys are the PBX data file's: a mailbox's `userName` and `activeGreeting` are the users section's
(apps/pbxdata/sections/users.py), a message's those of the voicemail section (apps/pbxdata/sections/voicemail.py,
less the export's `audio` path: the recording is `.../messages/{messageId}/audio`). A message's URL key is its
`messageId`.

* `GET /mailboxes` (`?q=`, `?unheard=`, `?ordering=userName|new`, limit/offset) and `GET /mailboxes/{userName}`
  (ETag); `PUT`/`PATCH` change `activeGreeting` and `voicemailEmail` (what each new message sends by e-mail:
  off, notify, attach, attach-save; apps.voicemail.email) (If-Match: 412 when stale). A body may repeat the
  read-only keys it read (`greetings`, `counts`) as they are, so that a client can send back what it got.
* `GET .../messages` (`?folder=`, `?heard=true|false`, `?ordering=received|messageId`, limit/offset);
  `GET/PATCH/DELETE .../messages/{messageId}`: PATCH `{"folder": ..., "heard": ...}` moves and marks (a move to
  "deleted" is the pages' delete: the message can still be moved back); DELETE removes it for good.
* `PUT/GET/DELETE .../greetings/{type}`: PUT is a multipart upload of the field `audio` (WAV or MP3), as the
  greeting pages take it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.adminapi import base
from apps.adminapi.openapi.keys import key_parameter
from apps.pbxdata.schema import PbxDataError, boolean, check_keys, choice, json_schema, obj, show
from apps.pbxdata.sections import users as user_section
from apps.pbxdata.sections import voicemail as voicemail_section
from apps.users.models import User
from apps.voicemail import email, services
from apps.voicemail.filtersets import MailboxFilterSet, MailboxMessageFilterSet
from apps.voicemail.models import ActiveGreeting, EmailMode, Folder, Greeting, Message
from sipxweb.pages import search, search_text
from sipxweb.ranges import file_response

# ---- representations ------------------------------------------------------------------------------------------

# The mailbox's own keys, with their checkers, from the users section of the data file.
MAILBOX = obj({key: user_section.USER.fields[key] for key in ("userName", "activeGreeting", "voicemailEmail")})
MAILBOX_KEY, GREETING_KEY, EMAIL_KEY = MAILBOX.fields
# A message's keys: the voicemail section's, less the export's path of the recording.
MESSAGE_KEYS = tuple(key for key in voicemail_section.MESSAGE.fields if key != "audio")
MESSAGE_KEY = "messageId"
FOLDER_KEY, HEARD_KEY = "folder", "heard"
CHANGEABLE = (FOLDER_KEY, HEARD_KEY)
assert {MESSAGE_KEY, *CHANGEABLE} <= set(MESSAGE_KEYS)  # the section's names, not copies that could drift
DURATION_KEY, FORMAT_KEY = "durationSecs", "format"
assert {DURATION_KEY, FORMAT_KEY} <= set(MESSAGE_KEYS)
NEW = "new"  # unheard messages in the inbox: what the phone's message light shows

validate_folder = choice(Folder.values)


def mailbox_queryset():
    """Users with their active greeting and message counts by folder, in one query for any number of them."""
    counts = {
        f"{folder}_count": Count("voicemail_messages", filter=Q(voicemail_messages__folder=folder))
        for folder in Folder.values
    }
    return User.objects.annotate(
        active=Coalesce(F("mailbox__active_greeting"), Value(ActiveGreeting.NONE.value)),
        email_mode=Coalesce(F("mailbox__email_mode"), Value(EmailMode.OFF.value)),
        # The name MailboxFilterSet's `unheard` filter reads.
        unheard_count=Count(
            "voicemail_messages", filter=Q(voicemail_messages__folder=Folder.INBOX, voicemail_messages__heard=False)
        ),
        **counts,
    )


def recorded_greetings(users) -> dict[int, list[dict]]:
    """user id -> the recorded greetings, in one query for a page of users."""
    out: dict[int, list[dict]] = {}
    rows = Greeting.objects.filter(mailbox__user_id__in=[u.pk for u in users]).values_list(
        "mailbox__user_id", "kind", "format", "duration"
    )
    order = {kind: i for i, kind in enumerate(Greeting.Kind.values)}
    for user_id, kind, fmt, duration in sorted(rows, key=lambda r: (r[0], order.get(r[1], 99))):
        out.setdefault(user_id, []).append(greeting_representation(kind, fmt, duration))
    return out


def greeting_representation(kind: str, fmt: str, duration: int) -> dict:
    return {"type": kind, FORMAT_KEY: fmt, DURATION_KEY: duration}


def mailbox_representation(user, greetings: list[dict]) -> dict:
    return {
        MAILBOX_KEY: user.username,
        GREETING_KEY: user.active,
        EMAIL_KEY: user.email_mode,
        "greetings": greetings,
        "counts": {NEW: user.unheard_count, **{f: getattr(user, f"{f}_count") for f in Folder.values}},
    }


def message_representation(message: Message) -> dict:
    dumped = voicemail_section.dump_message(message)
    return {key: dumped[key] for key in MESSAGE_KEYS}


# ---- OpenAPI --------------------------------------------------------------------------------------------------

GREETING_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"enum": Greeting.Kind.values},
        FORMAT_KEY: {"type": "string"},
        DURATION_KEY: {"type": "integer", "minimum": 0},
    },
    "required": ["type", FORMAT_KEY, DURATION_KEY],
}
MAILBOX_SCHEMA = {
    "type": "object",
    "properties": {
        MAILBOX_KEY: json_schema(MAILBOX.fields[MAILBOX_KEY][0]),
        GREETING_KEY: {"enum": ActiveGreeting.values},
        EMAIL_KEY: {"enum": EmailMode.values},
        "greetings": {"type": "array", "items": GREETING_SCHEMA, "readOnly": True},
        "counts": {
            "type": "object",
            "readOnly": True,
            "properties": {k: {"type": "integer", "minimum": 0} for k in (NEW, *Folder.values)},
        },
    },
    "required": [MAILBOX_KEY, GREETING_KEY, EMAIL_KEY, "greetings", "counts"],
}
MAILBOX_BODY = {
    "type": "object",
    "properties": {
        MAILBOX_KEY: MAILBOX_SCHEMA["properties"][MAILBOX_KEY],
        GREETING_KEY: json_schema(MAILBOX.fields[GREETING_KEY][0]),
        EMAIL_KEY: json_schema(MAILBOX.fields[EMAIL_KEY][0]),
    },
}
_message_props = json_schema(voicemail_section.MESSAGE)["properties"]
MESSAGE_SCHEMA = {
    "type": "object",
    "properties": {key: _message_props[key] for key in MESSAGE_KEYS},
    "required": list(MESSAGE_KEYS),
}
MESSAGE_BODY = {
    "type": "object",
    "properties": {FOLDER_KEY: json_schema(validate_folder), HEARD_KEY: json_schema(boolean)},
    "additionalProperties": False,
}
GREETING_UPLOAD = {
    "type": "object",
    "properties": {
        "audio": {
            "type": "string",
            "format": "binary",
            "description": "a WAV or MP3 recording, or a browser's WebM, Ogg or MP4 recording (stored as WAV)",
        }
    },
    "required": ["audio"],
}
AUDIO = {(200, "audio/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The recording (byte ranges: 206, 416)")}
IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag read; 412 when stale")


def page_of(item: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "nullable": True},
            "previous": {"type": "string", "nullable": True},
            "results": {"type": "array", "items": item},
        },
        "required": ["count", "next", "previous", "results"],
    }


# ---- the viewset ----------------------------------------------------------------------------------------------


def refused(exc: services.VoicemailError | Exception, field: str) -> PbxDataError:
    return PbxDataError(field, " ".join(getattr(exc, "messages", [str(exc)])).rstrip("."))


# the user name in the path of every action on one mailbox (the list has none)
_USER_NAME = extend_schema(parameters=[key_parameter(MAILBOX_KEY, "The mailbox's user name")])


@extend_schema_view(
    **dict.fromkeys(
        ("retrieve", "update", "partial_update", "messages", "message", "message_audio", "greeting"), _USER_NAME
    )
)
class MailboxViewSet(base.ApiView, viewsets.ViewSet):
    """A user's mailbox: its preferences, its messages and its greetings (administrators)."""

    lookup_field = "user_name"
    lookup_url_kwarg = "userName"
    # one segment; a user name that holds "/" reaches the views through apps/adminapi/keypaths.py
    lookup_value_regex = "[^/]+"
    pagination_class = base.Page

    @classmethod
    def key_exists(cls, key: str) -> bool:
        return User.objects.filter(username=key).exists()

    def perform_content_negotiation(self, request, force=False):
        # A recording is answered whatever the Accept (an audio player asks for audio/*); errors are JSON.
        audio = self.action == "message_audio" or (self.action == "greeting" and request.method == "GET")
        return super().perform_content_negotiation(request, force=force or audio)

    # -- helpers
    def _owner(self, for_update: bool = False) -> User:
        name = self.kwargs["userName"]
        queryset = User.objects.select_for_update() if for_update else User.objects
        user = queryset.filter(username=name).first()
        if user is None:
            raise Http404(f"There is no mailbox {show(name)}.")
        return user

    def _mailbox(self, user: User) -> dict:
        annotated = mailbox_queryset().get(pk=user.pk)
        return mailbox_representation(annotated, recorded_greetings([annotated]).get(user.pk, []))

    def _message(self, owner: User, for_update: bool = False) -> Message:
        message_id = self.kwargs["messageId"]
        queryset = Message.objects.select_related("user").filter(user=owner, message_id=message_id)
        message = (queryset.select_for_update() if for_update else queryset).first()
        if message is None:
            raise Http404(f"There is no message {show(message_id)} in the mailbox {show(owner.username)}.")
        return message

    def _greeting_kind(self) -> str:
        kind = self.kwargs["type"]
        if kind not in Greeting.Kind.values:
            raise Http404(f"There is no greeting type {show(kind)}; the types are {', '.join(Greeting.Kind.values)}.")
        return kind

    # -- mailboxes
    @extend_schema(
        summary="Mailboxes",
        parameters=[
            OpenApiParameter("q", str, description="user name, first or last name contains"),
            OpenApiParameter("unheard", bool, description="has new messages in the inbox"),
            OpenApiParameter("ordering", str, description="userName or new, - for descending"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: page_of(MAILBOX_SCHEMA)},
    )
    def list(self, request):
        queryset = base.filtered(request, mailbox_queryset(), MailboxFilterSet)
        queryset = search(queryset, search_text(request.query_params.get("q", "")), MailboxFilterSet.search_fields)
        order = {MAILBOX_KEY: "username", NEW: "unheard_count"}
        queryset = base.ordered(queryset, request.query_params.get("ordering", ""), order, ("username",))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        greetings = recorded_greetings(rows)
        return paginator.get_paginated_response([mailbox_representation(u, greetings.get(u.pk, [])) for u in rows])

    @extend_schema(summary="A mailbox", responses={200: MAILBOX_SCHEMA})
    def retrieve(self, request, **kwargs):
        representation = self._mailbox(self._owner())
        return base.with_etag(Response(representation), representation)

    @extend_schema(
        summary="Replace a mailbox's preferences",
        request={"application/json": MAILBOX_BODY},
        responses={200: MAILBOX_SCHEMA},
        parameters=[IF_MATCH],
    )
    def update(self, request, **kwargs):
        return self._change(request, partial=False)

    @extend_schema(
        summary="Change a mailbox's preferences",
        request={"application/json": MAILBOX_BODY},
        responses={200: MAILBOX_SCHEMA},
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, **kwargs):
        return self._change(request, partial=True)

    def _change(self, request, partial: bool):
        with transaction.atomic():
            owner = self._owner(for_update=True)
            current = self._mailbox(owner)
            base.check_if_match(request, base.etag_of(current))
            body = request.data
            check_keys(body, "", current)
            if body.get(MAILBOX_KEY, owner.username) != owner.username:
                raise PbxDataError(MAILBOX_KEY, "is the mailbox's key and cannot change")
            for key in ("greetings", "counts"):
                if key in body and body[key] != current[key]:
                    raise PbxDataError(key, "is read-only")
            given = {key: body[key] for key in (GREETING_KEY, EMAIL_KEY) if key in body}
            merged = {
                MAILBOX_KEY: owner.username,
                **({key: current[key] for key in (GREETING_KEY, EMAIL_KEY)} if partial else {}),
                **given,
            }
            checked = MAILBOX(merged, "")
            try:
                services.set_active_greeting(owner, checked[GREETING_KEY] or ActiveGreeting.NONE)
            except services.VoicemailError as exc:
                raise refused(exc, GREETING_KEY) from None
            email.set_email_mode(owner, checked[EMAIL_KEY] or EmailMode.OFF)
        representation = self._mailbox(owner)
        return base.with_etag(Response(representation), representation)

    # -- messages
    @extend_schema(
        operation_id="api_v1_mailboxes_messages_list",
        summary="A mailbox's messages",
        parameters=[
            OpenApiParameter("folder", str, enum=Folder.values),
            OpenApiParameter("heard", str, enum=["true", "false"]),
            OpenApiParameter("ordering", str, description="received or messageId, - for descending"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: page_of(MESSAGE_SCHEMA)},
    )
    @action(detail=True, methods=["get"], url_path="messages")
    def messages(self, request, **kwargs):
        owner = self._owner()
        queryset = Message.objects.filter(user=owner).select_related("user")
        queryset = base.filtered(request, queryset, MailboxMessageFilterSet)
        order = {"received": "received", MESSAGE_KEY: "message_id"}
        queryset = base.ordered(queryset, request.query_params.get("ordering", ""), order, ("-received", "-message_id"))
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response([message_representation(m) for m in rows])

    @extend_schema(methods=["GET"], summary="A message", responses={200: MESSAGE_SCHEMA})
    @extend_schema(
        methods=["PATCH"],
        summary="Move a message or mark it heard",
        request={"application/json": MESSAGE_BODY},
        responses={200: MESSAGE_SCHEMA},
        parameters=[IF_MATCH],
    )
    @extend_schema(
        methods=["DELETE"], summary="Delete a message for good", responses={204: None}, parameters=[IF_MATCH]
    )
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"messages/(?P<messageId>[^/]+)")
    def message(self, request, **kwargs):
        if request.method == "GET":
            representation = message_representation(self._message(self._owner()))
            return base.with_etag(Response(representation), representation)
        with transaction.atomic():
            message = self._message(self._owner(), for_update=True)
            current = message_representation(message)
            base.check_if_match(request, base.etag_of(current))
            if request.method == "DELETE":
                services.purge(message)
                return Response(status=status.HTTP_204_NO_CONTENT)
            self._patch(message, current, request.data)
        representation = message_representation(message)
        return base.with_etag(Response(representation), representation)

    def _patch(self, message: Message, current: dict, body) -> None:
        """Checks the whole body first (a refused body changes nothing), then moves and marks."""
        check_keys(body, "", MESSAGE_KEYS)
        for key, value in body.items():
            if key not in CHANGEABLE and value != current[key]:
                raise PbxDataError(key, f"is read-only; a message's {' and '.join(CHANGEABLE)} can change")
        folder = validate_folder(body[FOLDER_KEY], FOLDER_KEY) if FOLDER_KEY in body else message.folder
        heard = boolean(body[HEARD_KEY], HEARD_KEY) if HEARD_KEY in body else message.heard
        try:
            if folder != message.folder:
                services.move(message, folder)
        except services.VoicemailError as exc:
            raise refused(exc, FOLDER_KEY) from None
        if heard != message.heard:
            services.set_heard(message, heard)

    @extend_schema(summary="A message's recording", responses=AUDIO)
    @action(detail=True, methods=["get"], url_path=r"messages/(?P<messageId>[^/]+)/audio")
    def message_audio(self, request, **kwargs):
        message = self._message(self._owner())
        if not message.audio:
            raise Http404(f"Message {show(message.message_id)} has no recording.")
        try:
            return file_response(request, message.audio, message.mime_type, message.filename)
        except FileNotFoundError:
            raise Http404(f"The recording of message {show(message.message_id)} is missing.") from None

    # -- greetings
    @extend_schema(methods=["GET"], summary="A recorded greeting", responses=AUDIO)
    @extend_schema(
        methods=["PUT"],
        summary="Record a greeting (multipart upload of a WAV or MP3 file)",
        request={"multipart/form-data": GREETING_UPLOAD},
        responses={200: GREETING_SCHEMA, 201: GREETING_SCHEMA},
    )
    @extend_schema(methods=["DELETE"], summary="Remove a recorded greeting", responses={204: None})
    @action(detail=True, methods=["get", "put", "delete"], url_path=r"greetings/(?P<type>[^/]+)")
    def greeting(self, request, **kwargs):
        kind = self._greeting_kind()
        owner = self._owner()
        if request.method == "PUT":
            return self._record_greeting(request, owner, kind)
        greeting = Greeting.objects.filter(mailbox__user=owner, kind=kind).first()
        if greeting is None:
            raise Http404(f"The mailbox {show(owner.username)} has no recorded {kind} greeting.")
        if request.method == "DELETE":
            with transaction.atomic():
                services.delete_greeting(greeting)
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            return file_response(request, greeting.audio, greeting.mime_type, f"greeting-{kind}.{greeting.format}")
        except FileNotFoundError:
            raise Http404(f"The recording of the {kind} greeting is missing.") from None

    def _record_greeting(self, request, owner: User, kind: str) -> Response:
        upload = request.FILES.get("audio")
        if upload is None:
            raise PbxDataError("audio", "send the recording (WAV or MP3) as the multipart form field audio")
        check_keys(dict(request.data), "", ["audio"])
        existed = Greeting.objects.filter(mailbox__user=owner, kind=kind).exists()
        try:
            greeting = services.save_greeting(owner, kind, upload)
        except ValidationError as exc:
            raise refused(exc, "audio") from None
        body = greeting_representation(greeting.kind, greeting.format, greeting.duration)
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)
