"""What the media server reads from an incoming INVITE's text: the request URI's parameters (the service and its
target, written by the proxy's route, apps/sipproxy/routing.py) and who calls (the From URI's user, which the proxy
has authenticated). pjsua2 hands over the whole message; only these few fields are needed, so they are parsed here
rather than through a SIP library."""

import re
from dataclasses import dataclass
from urllib.parse import unquote

_URI = re.compile(r"<?\s*(sips?:[^>;,\s]+(?:;[^>,\s]*)?)")
_USER = re.compile(r"^sips?:([^@;>]+)@")
_COMPACT = {"f": "from", "t": "to"}


@dataclass(frozen=True)
class Invite:
    request_uri: str
    number: str  # the request URI's user part: the number the media server was asked for
    params: dict[str, str]  # the request URI's parameters, unescaped (service, target)
    caller: str  # the From URI's user part ("" when there is none)
    caller_uri: str
    caller_from: str  # the From header's name and address, without its parameters: `"Alice" <sip:200@example.org>`


def _user(uri: str) -> str:
    match = _USER.match(uri)
    return unquote(match.group(1)) if match else ""


def _header(lines: list[str], name: str) -> str:
    for line in lines[1:]:
        if not line.strip():
            break
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if _COMPACT.get(key, key) == name:
            return value.strip()
    return ""


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
    return Invite(request_uri, _user(address), params, _user(caller_uri), caller_uri, named.strip())
