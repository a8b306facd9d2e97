"""`calls`: call records (docs/pbx-data.md), matched by `callId`. A call without `end` is active (B.3.13).
`from`/`to` are SIP name-addrs (`"Alice Smith" <sip:200@example.org>`); the record keeps the AOR and the
display name apart, as sipXcdr did. The display name is written as a quoted-string (`"` and `\\` escaped), so
any name a user can have comes back unchanged; an empty `from`/`to` is a party nobody reported (a record
made from events whose call request never arrived). Times and failure statuses obey the same rules as
`POST /cse` (`apps.cdrs.rules`). `demo_calls()` builds the demo's two calls relative to now."""

from datetime import UTC, datetime, timedelta

from apps.cdrs import rules
from apps.cdrs.models import Cdr, Termination
from apps.cdrs.sipuri import aor_of, name_addr, parse, user_of
from apps.pbxdata.schema import REQUIRED, PbxDataError, list_of, obj, show, text


def _time(nullable: bool):
    check_text = text(nullable=nullable, blank=False)

    def check(value, path):
        value = check_text(value, path)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PbxDataError(path, f"expected an ISO 8601 time like 2026-11-20T09:15:00Z, not {value!r}") from None
        if parsed.tzinfo is None:
            raise PbxDataError(path, "the time needs a zone (Z for UTC)")
        problem = rules.time_problem(parsed)
        if problem:
            raise PbxDataError(path, problem)
        return parsed.astimezone(UTC)

    return check


def _addr(value, path):
    """A name-addr read strictly (its display name unescaped), as (display name, AOR); ("", "") for ""."""
    value = text(max_length=1024)(value, path)
    if not value.strip():
        return "", ""
    parsed = parse(value)
    if parsed is None:
        raise PbxDataError(path, f'expected a SIP address like "Alice" <sip:200@example.org>, not {show(value)}')
    aor = aor_of(f"<{parsed.uri}>")
    if len(aor) > 512 or len(parsed.display) > 255:
        raise PbxDataError(path, "the address is longer than 512 or its display name than 255 characters")
    return parsed.display, aor


def _schema():
    return obj(
        {
            "callId": (text(blank=False), REQUIRED),
            "from": (_addr, REQUIRED),
            "to": (_addr, REQUIRED),
            "calleeContact": (text(max_length=512, nullable=True), None),
            "start": (_time(False), REQUIRED),
            "connect": (_time(True), None),
            "end": (_time(True), None),
            "termination": (text(max_length=1, nullable=True, pattern="[RICTUFA]"), None),
            "failureStatus": (_status, None),
            "failureReason": (text(nullable=True), None),
        }
    )


def _status(value, path):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PbxDataError(path, f"expected a whole number, not {show(value)}")
    problem = rules.status_problem(value)
    if problem:
        raise PbxDataError(path, problem)
    return value


# One call record of the file (its keys are the admin JSON API's call record keys too).
CALL = _schema()


def validate(value, path):
    calls = list_of(CALL, unique=lambda c: c["callId"], what="call")(value, path)
    for i, call in enumerate(calls):
        for key in ("connect", "end"):
            if call[key] is not None and call[key] < call["start"]:
                raise PbxDataError(f"{path}[{i}].{key}", "must not be before start")
        if call["termination"] is None:
            call["termination"] = Termination.COMPLETED if call["end"] else Termination.IN_PROGRESS
    return calls


def clear():
    Cdr.objects.all().delete()


def load(calls, ctx):
    for call in calls:
        Cdr.objects.update_or_create(call_id=call["callId"], defaults=_fields(call))
        ctx.step()


def _fields(call) -> dict:
    """`call` as validated: `from`/`to` are (display name, AOR) pairs."""
    (name, caller), (_, callee) = call["from"], call["to"]
    return {
        "caller_aor": caller,
        "caller_name": name,
        "callee_aor": callee,
        "caller_user": user_of(caller),
        "callee_user": user_of(callee),
        "callee_contact": call["calleeContact"] or "",
        "start_time": call["start"],
        "connect_time": call["connect"],
        "end_time": call["end"],
        "termination": call["termination"],
        "failure_status": call["failureStatus"],
        "failure_reason": call["failureReason"] or "",
    }


def _iso(value) -> str | None:
    """UTC with milliseconds when there are some, microseconds when the time has them (nothing is rounded
    away, so the next export is the same); the year always has four digits (rules.time_problem)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    us = value.microsecond
    fraction = "" if not us else f".{us // 1000:03d}" if us % 1000 == 0 else f".{us:06d}"
    return f"{value:%Y-%m-%dT%H:%M:%S}{fraction}Z"


def dump_call(cdr: Cdr) -> dict:
    """One call record; a failure status and reason only when the call has them."""
    caller = aor_of(cdr.caller_aor)  # "" for a value no name-addr can carry (rows stored before the rules)
    item = {
        "callId": cdr.call_id,
        "from": name_addr(cdr.caller_name, caller) if caller else "",
        "to": aor_of(cdr.callee_aor),
        "calleeContact": cdr.callee_contact or None,
        "start": _iso(cdr.start_time),
        "connect": _iso(cdr.connect_time),
        "end": _iso(cdr.end_time),
        "termination": cdr.termination,
    }
    if cdr.failure_status is not None:
        item["failureStatus"] = cdr.failure_status
    if cdr.failure_reason:
        item["failureReason"] = cdr.failure_reason
    return item


def dump():
    return [dump_call(cdr) for cdr in Cdr.objects.order_by("start_time", "call_id")] or None


def demo_calls(now: datetime) -> list[dict]:
    """docs/pbx-data.md's demo calls: 200 -> 201 active, started 5 minutes ago; 202 -> 203 yesterday, 95 s."""
    active_start = now - timedelta(minutes=5)
    done_start = now - timedelta(days=1)
    return [
        {
            "callId": "demo-200-201-active",
            "from": '"Alice Smith" <sip:200@example.org>',
            "to": "<sip:201@example.org>",
            "calleeContact": "<sip:201@10.1.1.20:5060>",
            "start": active_start,
            "connect": active_start + timedelta(seconds=4),
            "end": None,
            "termination": Termination.IN_PROGRESS,
            "failureStatus": None,
            "failureReason": None,
        },
        {
            "callId": "demo-202-203-yesterday",
            "from": '"Carol White" <sip:202@example.org>',
            "to": "<sip:203@example.org>",
            "calleeContact": "<sip:203@10.1.1.23:5060>",
            "start": done_start,
            "connect": done_start + timedelta(seconds=3),
            "end": done_start + timedelta(seconds=98),
            "termination": Termination.COMPLETED,
            "failureStatus": None,
            "failureReason": None,
        },
    ]


def seed_demo(now: datetime | None = None) -> None:
    """Creates the demo calls with times relative to now (called by `manage.py seed_demo`). Demo calls that
    exist already are left as they are, so seeding twice changes nothing (the export stays the same)."""
    for call in demo_calls(now or datetime.now(UTC)):
        call = {**call, "from": _addr(call["from"], "from"), "to": _addr(call["to"], "to")}
        Cdr.objects.get_or_create(call_id=call["callId"], defaults=_fields(call))
