"""Click-to-call logic shared by `PUT /my/call/{to}`, `/callcontroller/...` and the portal's call box:
number clean-up (B.3.1), party resolution (B.4), queueing an attempt for the agent, status documents."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.callcontrol.models import CallAttempt, CallStatus
from apps.users.credentials import find_login

_STRIP = str.maketrans("", "", "[](){}.-")
_CHAR = r"(?:[-_.!~*'()&=+$,;?/a-zA-Z0-9]|%[0-9a-fA-F]{2})"
_VALID = re.compile(rf"{_CHAR}+|{_CHAR}+@\w[-._\w]*\w\.\w{{2,6}}")

NAMESPACE = "http://www.sipfoundry.org/sipX/schema/xml/call-status-00-00"


def clean_target(value: str) -> str | None:
    """B.3.1: drop `[ ] ( ) . { } -`, then validate; None when invalid. `9.9-86(406)9[99]` -> `9986406999`."""
    cleaned = (value or "").translate(_STRIP)
    if not cleaned or not _VALID.fullmatch(cleaned):
        return None
    return cleaned


def sip_uri(value: str, domain: str | None = None) -> str:
    """sipXconfig's SipUri.fix: `200` -> `sip:200@<domain>`; `u@h` -> `sip:u@h`; `sip:...` unchanged."""
    domain = domain or settings.SIPX_DOMAIN
    if value.lower().startswith(("sip:", "sips:")):
        return value
    if "@" in value:
        return f"sip:{value}"
    return f"sip:{value}@{domain}"


def party_uri(value: str) -> str:
    """B.4 party resolution: a local login name (user name, alias) becomes the user's canonical AOR."""
    if "@" not in value and not value.lower().startswith("sip:"):
        row = find_login(value)
        if row is not None:
            value = row.user.username
    return sip_uri(value)


def queue_call(agent, calling_uri: str, called_uri: str, key: str, **options) -> CallAttempt:
    """Queues an attempt; the agent picks it up within its polling interval. A new attempt for the same key
    replaces the previous one (the agent tears that down)."""
    with transaction.atomic():
        return CallAttempt.objects.create(
            key=key, agent=agent, calling_uri=calling_uri, called_uri=called_uri, **options
        )


def click_to_call(user, target: str) -> CallAttempt:
    """`PUT /my/call/{to}`: the user's own phones ring, then they are REFERred to `target` (already cleaned)."""
    calling = sip_uri(user.username)
    return queue_call(user, calling, sip_uri(target), key=f"{user.username}:{user.username}:{target}")


def latest_attempt(key: str) -> CallAttempt | None:
    """The newest attempt for `key` whose result is still kept (resultCacheTime)."""
    attempt = CallAttempt.objects.filter(key=key).order_by("-created", "-id").first()
    if attempt is None:
        return None
    if attempt.finished and attempt.finished + timedelta(seconds=attempt.result_cache_time) < timezone.now():
        return None
    return attempt


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def status_lines_xml(attempt: CallAttempt | None) -> str:
    """B.4 GET body (REFER mode): `<status-lines>` with one `<status>` per INVITE response or NOTIFY sipfrag."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<status-lines xmlns="{NAMESPACE}">']
    rows = CallStatus.objects.filter(attempt=attempt) if attempt is not None else []
    for row in rows:
        out.append(
            f"\n<status>\n\t<timestamp>{row.timestamp}</timestamp>\n\t<call-id>{_escape(row.call_id)}</call-id>"
            f"\n\t<method>{row.method}</method>\n\t<status-line>{_escape(row.status_line)}</status-line>\n</status>"
        )
    out.append("\n</status-lines>\n")
    return "".join(out)


def dialogs_xml(attempt: CallAttempt | None) -> str:
    """B.4 GET body (INVITE mode): `<dialogs>`, tab-indented, one `<dialog>` per leg the agent holds."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<dialogs xmlns="{NAMESPACE}">']
    if attempt is not None:
        state = {"running": "CONFIRMED", "queued": "EARLY"}.get(attempt.state, "TERMINATED")
        for leg, remote in (("caller", attempt.calling_uri), ("callee", attempt.called_uri)):
            out.append(
                f"\n\t<dialog>\n\t\t<dialog-id>{_escape(attempt.call_id or str(attempt.pk))}:{leg}</dialog-id>"
                f"\n\t\t<local-party>{_escape(sip_uri(attempt.agent.username))}</local-party>"
                f"\n\t\t<remote-party>{_escape(remote)}</remote-party>\n\t\t<dialog-state>{state}</dialog-state>"
                "\n\t</dialog>"
            )
    out.append("\n</dialogs>\n")
    return "".join(out)


def processing_status(code: int, text: str) -> str:
    """B.4 error body (text/xml, elements on their own lines, trailing newline)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<processing-status xmlns="{NAMESPACE}">\n'
        f"<error-flag>ERROR</error-flag>\n<error-code>{code}</error-code>\n<error-text>{_escape(text)}</error-text>\n"
        "</processing-status>\n"
    )
