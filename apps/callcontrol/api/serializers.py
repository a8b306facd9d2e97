"""Wire forms of the sipXrest call controller (docs/compatibility.md B.4): the status documents of
`GET /callcontroller/{callingParty}/{calledParty}` and the `<processing-status>` error document, written by hand
in sipXrest's layout (declaration, tab indentation, trailing newline); text escaped as every hand-built XML is
(sipxweb/xmltext.py)."""

from django.conf import settings

from apps.callcontrol.models import CallAttempt, CallStatus
from apps.callcontrol.sip import SipUri
from sipxweb import xmltext

NAMESPACE = "http://www.sipfoundry.org/sipX/schema/xml/call-status-00-00"

_escape = xmltext.text


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
                f"\n\t\t<local-party>{_escape(str(SipUri(attempt.agent.username, settings.SIPX_DOMAIN)))}</local-party>"
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
