"""SIP name-addr values (`"Alice" <sip:200@example.org>;tag=x`) as sipXcdr used them: read them, and write them
back so that reading gives the same display name and URI again whatever characters the name holds.

`parse()` is strict (the grammar of RFC 3261 25.1, with a quoted-pair allowed to escape any character): /cse
and the PBX data file use it to refuse what they could not store and give back. `aor_of()`/`display_name()`
also take what the call-control agent and older feeds wrote (an unescaped `"Bo"b" <sip:…>`): the URI is then
the last `<…>` of the value, the display name what stands before it."""

import re
from typing import NamedTuple

# A URI we keep: sip/sips/tel, then no white space, control character, quote or angle bracket (each of those
# would end the URI inside a name-addr, so the value could not be read back as it was written).
_URI = re.compile(r'(?:sips?|tel):[^\s\x00-\x1f\x7f<>"]+', re.IGNORECASE)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNQUOTE = re.compile(r"\\(.)", re.DOTALL)
_TOKENS = re.compile(r"[^\s\x00-\x1f\x7f<>\"]+(?:[ \t]+[^\s\x00-\x1f\x7f<>\"]+)*")


class NameAddr(NamedTuple):
    display: str  # the display name, unquoted and unescaped ("" when there is none)
    uri: str  # the URI without the angle brackets, with its parameters


def valid_uri(uri: str) -> bool:
    return bool(_URI.fullmatch(uri))


def parse(value: str) -> NameAddr | None:
    """`"A \\"B\\"" <sip:200@h;transport=tcp>;tag=1` -> NameAddr('A "B"', 'sip:200@h;transport=tcp');
    `sip:200@h;tag=1` -> NameAddr('', 'sip:200@h'); None when the value is no such address."""
    value = value.strip(" \t")
    display = ""
    if value.startswith('"'):
        m = _QUOTED.match(value)
        if not m:
            return None
        display = _UNQUOTE.sub(r"\1", m.group(1))
        rest = value[m.end() :].lstrip(" \t")
        if not rest.startswith("<"):
            return None
    elif "<" in value:
        head, rest = value.split("<", 1)
        head = head.strip(" \t")
        if head and not _TOKENS.fullmatch(head):
            return None
        display, rest = head, "<" + rest
    else:  # addr-spec: the URI's own parameters cannot be told from the header's, so they all go
        uri = value.split(";", 1)[0]
        return NameAddr("", uri) if valid_uri(uri) else None
    end = rest.find(">")
    if end < 0:
        return None
    uri, params = rest[1:end], rest[end + 1 :]
    if not valid_uri(uri) or (params.strip(" \t") and not params.lstrip(" \t").startswith(";")):
        return None
    if any(c in params for c in '<>"\r\n\x00'):
        return None
    return NameAddr(display, uri)


def _lenient(value: str) -> NameAddr:
    """What an unescaped `"Bo<b> "x" Smith" <sip:200@h>` means: the URI in the last `<…>`, the name before."""
    value = (value or "").strip()
    parsed = parse(value)
    if parsed is not None:
        return parsed
    start = value.rfind("<")
    end = value.find(">", start + 1)
    if start >= 0 and end > start:
        uri = value[start + 1 : end].strip()
        name = value[:start].strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1]
        return NameAddr(name, uri)
    return NameAddr("", value.split(";", 1)[0].strip())


def quote(display: str) -> str:
    """A display name as a quoted-string: `"` and `\\` escaped, so `parse()` gives back exactly `display`."""
    return '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'


def name_addr(display: str, aor: str) -> str:
    """The value `parse()` reads back as (display, aor's URI): `"Bo<b>" <sip:200@h>`, or the bare AOR."""
    return f"{quote(display)} {aor}" if display else aor


def uri_of(value: str) -> str:
    """The URI of a name-addr or addr-spec: `"A" <sip:200@h>;tag=1` -> `sip:200@h`; `sip:200@h;tag=1` -> `sip:200@h`."""
    return _lenient(value).uri


def aor_of(value: str) -> str:
    """The AOR as sipXcdr stored it: `<sip:user@host>` without display name, URI parameters or tag; "" when
    the value holds no SIP or tel URI (such an AOR could not be written into a name-addr and read back)."""
    uri = uri_of(value).split(";", 1)[0]
    return f"<{uri}>" if valid_uri(uri) else ""


def display_name(value: str) -> str:
    return _lenient(value).display


def user_of(value: str) -> str:
    """User part: `<sip:200@example.org:5060>` -> `200`; empty when the URI has no `@`."""
    uri = uri_of(value)
    uri = re.sub(r"^sips?:", "", uri, flags=re.I)
    if "@" not in uri:
        return ""
    return uri.split("@", 1)[0].split(";", 1)[0]


def recipient_of(contact: str) -> str | None:
    """B.3.13 `recipient`: the user part of the callee contact; None when the contact has no `@`/`;`."""
    uri = re.sub(r"^sips?:", "", uri_of(contact), flags=re.I)
    if "@" in uri:
        return uri.split("@", 1)[0]
    if ";" in uri:
        return uri.split(";", 1)[0]
    return None
