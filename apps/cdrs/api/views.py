"""Active calls (B.2.4 admin, B.3.13 the caller's own) and call-state event ingestion (`POST /cse`)."""

import json
import re
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ParseError, ValidationError

from apps.cdrs import resolver, rules, services
from apps.cdrs.models import EventType
from apps.cdrs.sipuri import parse
from apps.users.models import User
from sipxweb.rest.parsers import element_to_data, xml_root
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.views import WireView, empty_ok
from sipxweb.rest.xstream import XList
from sipxweb.text import text_problem


class _ActiveCdrsBase(WireView):
    wire_root = "cdrs"

    def answer(self, username: str):
        rows = services.active_calls(username)
        return self.document(XList("cdr", [services.wire_cdr(cdr) for cdr in rows]))


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

_TEXT_FIELDS = {
    "observer": 255,
    "call_id": 255,
    "from_tag": 255,
    "to_tag": 255,
    "from_url": 512,
    "to_url": 512,
    "contact": 512,
    "refer_to": 512,
    "referred_by": 512,
    "failure_reason": 255,
    "request_uri": 512,
    "reference": 255,
    "callee_route": 255,
    "branch_id": 255,
}
_INT_FIELDS = ("event_seq", "cseq", "failure_status", "via_count")
_KNOWN = {"event_time", "event_type", "caller_internal", *_TEXT_FIELDS, *_INT_FIELDS}


_INTEGER = re.compile(r"-?[0-9]{1,10}")
_ADDRESSES = ("from_url", "to_url", "contact", "refer_to", "referred_by", "request_uri")


def _time(value, where: str) -> datetime:
    text = str(value).strip()
    if len(text) > 40:
        raise ValidationError(f"{where}.event_time is not a time (more than 40 characters)")
    try:
        if text.isascii() and text.isdigit():  # epoch milliseconds
            parsed = datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise ValidationError(f"{where}.event_time: {text!r} is not ISO 8601 nor epoch milliseconds") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # sipXproxy wrote UTC timestamps without zone
    problem = rules.time_problem(parsed)
    if problem:
        raise ValidationError(f"{where}.event_time: {problem}")
    return parsed.astimezone(UTC)


def clean_event(raw, where: str) -> dict:
    """One event (a dict of text or JSON values) as CallStateEvent fields; ValidationError on anything bad."""
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}: an event must be an object")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ValidationError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}")
    # An R is the call request: its From and To make the record's parties. Other events may come without
    # them (their R may come later), and the record then waits for its R to name the parties.
    required = (
        "event_type",
        "event_time",
        "call_id",
        *(("from_url", "to_url") if raw.get("event_type") == "R" else ()),
    )
    for name in required:
        if not isinstance(raw.get(name), str | int) or isinstance(raw.get(name), bool) or not str(raw[name]).strip():
            raise ValidationError(f"{where}.{name} is required" + (" in an R event" if name.endswith("_url") else ""))
    if raw["event_type"] not in EventType.values:
        raise ValidationError(f"{where}.event_type must be one of {', '.join(EventType.values)}")
    data: dict = {"event_type": raw["event_type"], "event_time": _time(raw["event_time"], where)}
    for name, size in _TEXT_FIELDS.items():
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > size:
            raise ValidationError(f"{where}.{name} must be a string of at most {size} characters")
        problem = text_problem(value)
        if problem:
            raise ValidationError(f"{where}.{name} {problem}")
        if name in _ADDRESSES and value.strip() and parse(value) is None:
            raise ValidationError(
                f'{where}.{name} must be a SIP address like "Alice" <sip:200@example.org> (a display name '
                'with " or \\ as a quoted-string with those escaped), not this value'
            )
        data[name] = value
    for name in _INT_FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        # ASCII digits only ("²".isdigit() is true), and few enough that int() is cheap and the column holds it.
        if isinstance(value, bool) or not _INTEGER.fullmatch(str(value)) or abs(int(value)) > 2**31 - 1:
            raise ValidationError(f"{where}.{name} must be an integer")
        data[name] = int(value)
    if data.get("failure_status") is not None and rules.status_problem(data["failure_status"]):
        raise ValidationError(f"{where}.failure_status: {rules.status_problem(data['failure_status'])}")
    internal = raw.get("caller_internal")
    if internal is not None:
        if isinstance(internal, bool):
            data["caller_internal"] = internal
        elif str(internal).lower() in ("true", "false", "1", "0"):
            data["caller_internal"] = str(internal).lower() in ("true", "1")
        else:
            raise ValidationError(f"{where}.caller_internal must be true or false")
    return data


def parse_events(body: bytes, content_type: str) -> list:
    if not body.strip():
        raise ParseError("The request body is empty; send a list of call-state events.")
    if "json" in content_type:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The JSON body is not valid: {exc}.") from None
        except RecursionError:
            raise ParseError("The JSON body is nested too deeply.") from None
        if isinstance(doc, dict) and list(doc) == ["call-state-events"]:
            doc = doc["call-state-events"]
        if not isinstance(doc, list):
            raise ParseError('Send a JSON list of events, or {"call-state-events": [...]}.')
        return doc
    root = xml_root(body)  # defusedxml: no DTD, entities or external references, bounded depth
    if root.tag != "call-state-events":
        raise ParseError(f"The XML root element must be <call-state-events>, not <{root.tag}>.")
    events = []
    for child in root:
        if child.tag != "call-state-event":
            raise ParseError(f"<call-state-events> may contain only <call-state-event>, not <{child.tag}>.")
        try:
            value = element_to_data(child)
        except RecursionError:
            raise ParseError("The XML body is nested too deeply.") from None
        events.append(value if isinstance(value, dict) else {})
    return events


class CallStateEventsView(WireView):
    """`POST /sipxconfig/rest/cse`: a proxy or PBX adapter feeds call-state events (admin credentials).
    JSON (a list, or `{"call-state-events": [...]}`) or XML (`<call-state-events><call-state-event>...`),
    fields named like sipXproxy's `call_state_events` columns. Any bad event -> 400 and nothing stored.
    Besides admins, the bundled SIP proxy posts its dialogs' events with its service credential (the class
    CSE_SERVICE_PERMISSION names), which opens nothing else."""

    permission_classes = [IsPbxAdmin | import_string(settings.CSE_SERVICE_PERMISSION)]
    parser_classes = []  # the body is read here: a bare JSON list is accepted too

    @extend_schema(
        summary="Ingest call-state events", request=None, responses={200: OpenApiResponse(description="Stored")}
    )
    def post(self, request, **kwargs):
        raw = parse_events(request._request.body, request.META.get("CONTENT_TYPE", ""))
        if len(raw) > 10000:
            raise ValidationError("At most 10000 events per request.")
        events = [clean_event(item, f"events[{i}]") for i, item in enumerate(raw)]
        try:
            resolver.store(events)
        except DatabaseError:
            raise ValidationError("The events could not be stored (a value does not fit).") from None
        return empty_ok()
