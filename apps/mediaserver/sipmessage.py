"""What the media server reads from an incoming INVITE's text: the request URI's parameters (the service and its
target, written by the proxy's route, apps/sipproxy/routing.py) and who calls (the From URI's user, which the proxy
has authenticated). pjsua2 hands over the whole message; only these few fields are needed, so they are parsed here
rather than through a SIP library."""

import re
from dataclasses import dataclass
from urllib.parse import unquote

_URI = re.compile(r"<?\s*(sips?:[^>;,\s]+(?:;[^>,\s]*)?)")
_USER = re.compile(r"^sips?:([^@;>]+)@")
_COMPACT = {"f": "from", "t": "to", "v": "via"}
_VIA_HOST = re.compile(r"^\s*SIP/2\.0/\w+\s+(\[[^\]]+\]|[^\s:;]+)")
_RECEIVED = re.compile(r";\s*received=([^;,\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Invite:
    request_uri: str
    number: str  # the request URI's user part: the number the media server was asked for
    params: dict[str, str]  # the request URI's parameters, unescaped (service, target)
    caller: str  # the From URI's user part ("" when there is none)
    caller_uri: str
    caller_from: str  # the From header's name and address, without its parameters: `"Alice" <sip:200@example.org>`
    source: str = ""  # the calling phone's address as the proxy saw it (its Via's `received`, else its sent-by host)


def _user(uri: str) -> str:
    match = _USER.match(uri)
    return unquote(match.group(1)) if match else ""


def _headers(lines: list[str], name: str) -> list[str]:
    values = []
    for line in lines[1:]:
        if not line.strip():
            break
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if _COMPACT.get(key, key) == name:
            values.append(value.strip())
    return values


def _header(lines: list[str], name: str) -> str:
    found = _headers(lines, name)
    return found[0] if found else ""


def _phone_source(lines: list[str]) -> str:
    """The phone's address from the Via below the proxy's own (the proxy's is on top; the phone's carries the
    `received` the proxy added when the packet came from elsewhere than the Via says). Only the proxy may call the
    media server (server.py), so this Via was written by the proxy's view of the phone, not by the caller alone."""
    vias = [via for value in _headers(lines, "via") for via in value.split(",") if via.strip()]
    if not vias:
        return ""
    via = vias[1] if len(vias) > 1 else vias[0]
    received = _RECEIVED.search(via)
    if received:
        return received.group(1).strip("[]")
    match = _VIA_HOST.match(via)
    return match.group(1).strip("[]") if match else ""


def parse_invite(message: str) -> Invite:
    lines = message.replace("\r\n", "\n").split("\n")
    parts = lines[0].split()
    request_uri = parts[1] if len(parts) >= 3 else ""
    address, _, param_text = request_uri.partition(";")
    params = {}
    for item in param_text.split(";"):
        key, _, value = item.partition("=")
        if key:
            params[unquote(key).lower()] = unquote(value)
    from_value = _header(lines, "from")
    match = _URI.search(from_value)
    caller_uri = match.group(1).split(";")[0] if match else ""
    named = from_value[: from_value.index(">") + 1] if ">" in from_value else f"<{caller_uri}>" if caller_uri else ""
    return Invite(
        request_uri, _user(address), params, _user(caller_uri), caller_uri, named.strip(), _phone_source(lines)
    )
