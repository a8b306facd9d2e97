"""Wire forms of the call-record URIs (docs/compatibility.md B.2.4, B.3.13, and `POST /cse`): the `<cdr>` of an
active call, and the call-state events a proxy or PBX posts, read and checked field by field."""

import json
import re
from datetime import UTC, datetime

from rest_framework.exceptions import ParseError, ValidationError

from apps.cdrs import rules, services
from apps.cdrs.models import Cdr, EventType
from apps.cdrs.sipuri import display_name, parse, recipient_of, user_of
from sipxweb.rest.parsers import element_to_data, xml_root
from sipxweb.rest.xstream import XList
from sipxweb.text import text_problem

CDRS_ROOT = "cdrs"  # the XStream root alias of the active-call lists


def cdr_wire(cdr: Cdr, now=None) -> dict:
    """One `<cdr>` of B.3.13, in wire order; None members are omitted by the renderer. As in sipXecs's REST
    path, active calls always say INCOMING / false / Unknown (docs/compatibility.md#b313-active-calls)."""
    # sipXcdr's rule: the name comes from the caller AOR only, and a resolved AOR is bare, so the agent's and
    # the demo's calls say just the user ("200"), as sipXconfig clients see them. The stored caller_name is for
    # the history pages.
    name = display_name(cdr.caller_aor)
    caller = user_of(cdr.caller_aor)
    return {
        "from": f"{name} - {caller}" if name else caller,
        "from-aor": cdr.caller_aor,
        "to": user_of(cdr.callee_aor),
        "to-aor": cdr.callee_aor,
        "route": cdr.callee_route or None,
        "direction": "INCOMING",
        "recipient": recipient_of(cdr.callee_contact) if cdr.callee_contact else None,
        "internal": False,
        "type": "Unknown",
        "start-time": services.epoch_ms(cdr.start_time),
        "duration": services.active_duration_ms(cdr, now),
    }


def active_cdrs(rows) -> XList:
    """The `<cdrs>` list of active calls; each `duration` is computed as its record is written."""
    return XList("cdr", [cdr_wire(cdr) for cdr in rows])


# ---- POST /cse: call-state events ------------------------------------------------------------------------

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
