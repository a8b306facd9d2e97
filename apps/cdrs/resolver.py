"""The call resolver (docs/callcontrol.md#call-records-and-active-calls, sipXcdr's rules): each call-state event is
folded into the call
record of its Call-ID as it is stored, and `housekeeping()` closes calls whose end was lost.

    R -> record with start_time, termination R      S -> connect_time, termination I, callee_contact
         (an R with a Refer-To: click-to-call, the record is Referred-By -> Refer-To)
    E -> end_time, termination C (T after a REFER)  F -> failed (F, failure status) unless connected
    T -> remembers the transfer (the end becomes T)

Events may arrive out of order (a feed batches them): an S or E without an R still makes a record."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.cdrs.models import CallStateEvent, Cdr, EventType, Termination
from apps.cdrs.sipuri import aor_of, display_name, user_of

logger = logging.getLogger(__name__)

MAX_CALL = timedelta(hours=8)  # an "active" call older than this lost its end: closed as U
MAX_RINGING = timedelta(minutes=2)  # a call ringing longer than this failed


def _set_parties(cdr: Cdr, event: CallStateEvent) -> None:
    """The record's caller and callee from the event's From and To. An AOR is kept only when it is a SIP or tel
    URI (aor_of gives "" otherwise), and the display name only with its AOR, so the PBX data file can always
    write the pair as a name-addr and read it back.

    An R that names a Refer-To is click-to-call's first leg (the agent's INVITE of the caller's own phone, which
    it then refers to the callee): its From and To are the agent and the caller's phone ("200 -> 200"), but the
    call the user asked for is Referred-By -> Refer-To, and that is what the record says."""
    caller, callee = event.from_url, event.to_url
    if event.event_type == EventType.REQUEST and event.refer_to:
        caller, callee = event.referred_by or event.to_url, event.refer_to
    cdr.caller_aor = aor_of(caller)
    cdr.caller_name = display_name(caller)[:255] if cdr.caller_aor else ""
    cdr.callee_aor = aor_of(callee)
    cdr.caller_user = user_of(cdr.caller_aor)
    cdr.callee_user = user_of(cdr.callee_aor)


def _record_for(event: CallStateEvent) -> Cdr:
    cdr = Cdr.objects.select_for_update().filter(call_id=event.call_id).first()
    if cdr is None:
        cdr = Cdr(
            call_id=event.call_id,
            from_tag=event.from_tag,
            start_time=event.event_time,
            caller_contact=event.contact if event.event_type == EventType.REQUEST else "",
            caller_internal=event.caller_internal,
            callee_route=event.callee_route,
            reference=event.reference,
        )
        _set_parties(cdr, event)
    elif event.event_type == EventType.REQUEST and not (cdr.caller_aor or cdr.callee_aor):
        # The record was made by an S/E/F that came before its R (another request of a feed): the R names
        # the parties it could not.
        _set_parties(cdr, event)
        cdr.from_tag = cdr.from_tag or event.from_tag
        cdr.caller_contact = cdr.caller_contact or event.contact
    return cdr


def apply(event: CallStateEvent) -> Cdr:
    """Folds one stored event into its call record (call inside a transaction)."""
    cdr = _record_for(event)
    kind = event.event_type
    if kind == EventType.REQUEST:
        cdr.start_time = min(cdr.start_time, event.event_time)
    elif kind == EventType.SETUP:
        if cdr.connect_time is None:
            cdr.connect_time = event.event_time
        if cdr.end_time is None:
            cdr.termination = Termination.IN_PROGRESS
        cdr.to_tag = event.to_tag or cdr.to_tag
        cdr.callee_contact = event.contact or cdr.callee_contact
    elif kind == EventType.END:
        if cdr.end_time is None:
            cdr.end_time = event.event_time
        if cdr.connect_time is None:
            cdr.connect_time = cdr.connect_time or None
            cdr.termination = Termination.ABANDONED if cdr.termination == Termination.REQUESTED else cdr.termination
        if cdr.termination in (Termination.IN_PROGRESS, Termination.REQUESTED):
            cdr.termination = Termination.TRANSFERRED if cdr.reference == "refer" else Termination.COMPLETED
    elif kind == EventType.FAILURE:
        if cdr.connect_time is None:
            cdr.termination = Termination.FAILED
            cdr.failure_status = event.failure_status
            cdr.failure_reason = event.failure_reason
            cdr.end_time = cdr.end_time or event.event_time
    elif kind == EventType.TRANSFER:
        cdr.reference = "refer"
    # A call starts no later than any of its events: a connect or end reported before the R (clocks of two
    # observers, or a feed's late R) moves the start, so no record has a connect or end before its start.
    cdr.start_time = min(t for t in (cdr.start_time, cdr.connect_time, cdr.end_time) if t is not None)
    cdr.save()
    return cdr


def store(events: list[dict], known_calls_only: bool = False) -> list[Cdr]:
    """Stores events (dicts of CallStateEvent fields) and resolves them, all or nothing.

    `known_calls_only` (the bundled SIP proxy's events: it reports each call's R before anything else): an event
    other than R of a call that has no record is logged and neither stored nor resolved. Its R was lost (sipxweb
    did not answer) or the event is made up, and a record without parties would be a call of nobody."""
    out = []
    with transaction.atomic():
        for data in sorted(events, key=lambda e: e["event_time"]):
            if (
                known_calls_only
                and data["event_type"] != EventType.REQUEST
                and not Cdr.objects.filter(call_id=data["call_id"]).exists()
            ):
                logger.warning(
                    "Call event %s of call %r ignored: no call record has that Call-ID (its R never came).",
                    data["event_type"],
                    data["call_id"][:100],
                )
                continue
            event = CallStateEvent.objects.create(**data)
            out.append(apply(event))
    return out


def housekeeping(now=None) -> int:
    """Closes zombie records: active longer than MAX_CALL -> U; ringing longer than MAX_RINGING -> F."""
    now = now or timezone.now()
    closed = Cdr.objects.filter(
        termination=Termination.IN_PROGRESS, end_time__isnull=True, start_time__lt=now - MAX_CALL
    ).update(termination=Termination.UNKNOWN, end_time=now)
    closed += Cdr.objects.filter(
        termination=Termination.REQUESTED, end_time__isnull=True, start_time__lt=now - MAX_RINGING
    ).update(termination=Termination.FAILED, end_time=now, failure_reason="no answer (housekeeping)")
    return closed
