"""Small helpers on SIP name-addr values (`"Alice" <sip:200@example.org>;tag=x`), as sipXcdr used them."""

import re

_ANGLE = re.compile(r"<([^>]*)>")


def uri_of(value: str) -> str:
    """The URI of a name-addr or addr-spec: `"A" <sip:200@h>;tag=1` -> `sip:200@h`; `sip:200@h;tag=1` -> `sip:200@h`."""
    value = (value or "").strip()
    m = _ANGLE.search(value)
    if m:
        return m.group(1).strip()
    return value.split(";", 1)[0].strip()


def aor_of(value: str) -> str:
    """The AOR as sipXcdr stored it: `<sip:user@host>` without display name, URI parameters or tag."""
    uri = uri_of(value)
    if not uri:
        return ""
    return f"<{uri.split(';', 1)[0]}>"


def display_name(value: str) -> str:
    value = (value or "").strip()
    if "<" not in value:
        return ""
    name = value.split("<", 1)[0].strip()
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


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
