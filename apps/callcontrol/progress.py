"""How far a click-to-call attempt got, in words for the person who clicked Call: read from the rows the agent writes
(the attempt's state and outcome, and its status lines: every response to the INVITE of the caller's phone and
every NOTIFY sipfrag of the REFER, docs/callcontrol.md), never from the agent itself, so any web worker answers.

    queued            "Waiting for the call agent…"
    ringing           "Ringing your phone…"            the INVITE of the caller's phone is out / 1xx
    connecting        "Connecting to Bob…"             the caller's phone answered (2xx), REFER, NOTIFY 100
    callee-ringing    "Ringing Bob…"                   NOTIFY 180/183 (the agent leaves: the call is the phones')
    answered          "Bob answered."                  NOTIFY 2xx (or the callee leg's 2xx in INVITE mode)
    no-answer, busy   "No answer from your phone." / "Bob is busy."
    failed            "Failed: <reason>."
    failed            health.NOT_RUNNING: "Your call was not placed: no call-control agent is running…"
                      queued while none ran (no heartbeat): said at the first poll, store.reap fails it at once

The status-lines document of GET /callcontroller shows the same rows as they are (B.4)."""

import re
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from apps.callcontrol import flows, health, store
from apps.callcontrol.models import CallAttempt, CallStatus

_LINE = re.compile(r"SIP/2\.0 (\d{3})\s*(.*)")
NO_ANSWER = {408, 480, 487}  # timed out, not reachable now, cancelled after the timeout
BUSY = {486, 600}
DECLINED = {603}
CHALLENGE = {401, 407}  # answered by the agent: not an outcome


@dataclass(frozen=True)
class Progress:
    phase: str
    text: str
    done: bool
    callee: str  # the name (or number) the texts use

    def as_dict(self) -> dict:
        return asdict(self)


def _code(line: str) -> tuple[int, str]:
    match = _LINE.match(line or "")
    return (int(match.group(1)), match.group(2).strip()) if match else (0, "")


def _your_phone(code: int, reason: str) -> tuple[str, str]:
    """A final failure of the caller's own phone (the INVITE the agent sent)."""
    if code == 480:  # the proxy's answer when no phone of the user is registered (or all say "do not disturb")
        return "failed", _("Failed: your phone is not reachable (%(code)s %(reason)s).") % {
            "code": code,
            "reason": reason,
        }
    if code in NO_ANSWER:
        return "no-answer", _("No answer from your phone.")
    if code in BUSY:
        return "busy", _("Your phone is busy.")
    if code in DECLINED:
        return "failed", _("Failed: your phone declined the call.")
    if code in (404, 410):
        return "failed", _("Failed: your phone is not registered (%(code)s %(reason)s).") % {
            "code": code,
            "reason": reason,
        }
    return "failed", _("Failed: calling your phone got %(code)s %(reason)s.") % {"code": code, "reason": reason}


def _callee(code: int, reason: str, callee: str) -> tuple[str, str]:
    """A final status of the call to the callee (a NOTIFY sipfrag, or the callee leg in INVITE mode)."""
    if 200 <= code < 300:
        return "answered", _("%(callee)s answered.") % {"callee": callee}
    if code in NO_ANSWER:
        return "no-answer", _("No answer from %(callee)s.") % {"callee": callee}
    if code in BUSY:
        return "busy", _("%(callee)s is busy.") % {"callee": callee}
    if code in DECLINED:
        return "failed", _("Failed: %(callee)s declined the call.") % {"callee": callee}
    return "failed", _("Failed: the call to %(callee)s got %(code)s %(reason)s.") % {
        "callee": callee,
        "code": code,
        "reason": reason,
    }


def progress(attempt: CallAttempt, callee: str) -> Progress:
    """The attempt's progress; `callee` is how the texts name the called party (a name, else the number)."""
    finished = attempt.state in (CallAttempt.State.DONE, CallAttempt.State.FAILED)
    if attempt.state == CallAttempt.State.QUEUED:
        return Progress("queued", _("Waiting for the call agent…"), False, callee)
    phase, text = "ringing", _("Ringing your phone…")
    final = None
    for row in CallStatus.objects.filter(attempt=attempt).order_by("timestamp", "id"):
        code, reason = _code(row.status_line)
        if not code or code in CHALLENGE:
            continue
        own_leg = row.method == "INVITE" and (not attempt.call_id or row.call_id == attempt.call_id)
        if own_leg:
            if code < 200:
                phase, text = "ringing", _("Ringing your phone…")
            elif code < 300:
                phase, text = "connecting", _("Connecting to %(callee)s…") % {"callee": callee}
            else:
                final = _your_phone(code, reason)
        elif code < 200:  # a NOTIFY or the callee leg: the callee's side
            if code in (180, 183):
                phase, text = "callee-ringing", _("Ringing %(callee)s…") % {"callee": callee}
            else:
                phase, text = "connecting", _("Connecting to %(callee)s…") % {"callee": callee}
        else:
            final = _callee(code, reason, callee)
    if final is not None:
        return Progress(*final, True, callee)
    if not finished:
        return Progress(phase, text, False, callee)
    return Progress(*_ended(attempt, phase, callee), True, callee)


def _ended(attempt: CallAttempt, phase: str, callee: str) -> tuple[str, str]:
    """A finished attempt whose status lines say no final word: its phase so far, or the agent's outcome."""
    outcome = attempt.outcome or ""
    if attempt.state == CallAttempt.State.DONE:
        if phase == "callee-ringing":
            return phase, _("Ringing %(callee)s: the call is on your phone now.") % {"callee": callee}
        return "connecting", _("Your phone is calling %(callee)s.") % {"callee": callee}
    if outcome == store.NOT_PLACED:  # queued while no agent ran (at once, or after STALE_QUEUED)
        return "failed", str(health.NOT_RUNNING)
    if outcome.startswith(flows.NO_ANSWER):
        return "no-answer", _("No answer from your phone.")
    if outcome.startswith("REFER failed"):
        return "failed", _("Failed: your phone did not take the call to %(callee)s (%(reason)s).") % {
            "callee": callee,
            "reason": outcome[len("REFER failed: ") :],
        }
    return "failed", _("Failed: %(reason)s.") % {"reason": outcome or _("the call could not be placed")}
