"""The small SIP message layer of the call-control agent (RFC 3261 syntax only, no SIP library): parse and
build messages, read URIs, answer Digest challenges (RFC 2617 / 3261 22.4, MD5, qop=auth or none)."""

from __future__ import annotations

import hashlib
import re
import secrets

COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "e": "content-encoding",
    "k": "supported",
    "s": "subject",
    "r": "refer-to",
    "b": "referred-by",
    "o": "event",
}
# Headers whose values may be joined with commas on one line (we split them when reading the top one).
_MULTI = {"via", "route", "record-route", "contact"}


def token(n: int = 10) -> str:
    return secrets.token_hex(n // 2 + 1)[:n]


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


class SipMessage:
    """A request (`method`, `uri`) or a response (`status`, `reason`), headers in order, a bytes body."""

    def __init__(self, first: str, headers: list[list[str]] | None = None, body: bytes = b""):
        self.first = first
        self.headers = headers or []
        self.body = body

    # ---- first line ------------------------------------------------------------------------------
    @property
    def is_request(self) -> bool:
        return not self.first.startswith("SIP/")

    @property
    def method(self) -> str:
        return self.first.split(" ", 1)[0] if self.is_request else self.cseq_method

    @property
    def uri(self) -> str:
        return self.first.split(" ")[1]

    @property
    def status(self) -> int:
        return int(self.first.split(" ")[1])

    @property
    def reason(self) -> str:
        parts = self.first.split(" ", 2)
        return parts[2] if len(parts) > 2 else ""

    # ---- headers ---------------------------------------------------------------------------------
    @staticmethod
    def _norm(name: str) -> str:
        name = name.strip().lower()
        return COMPACT.get(name, name)

    def get_all(self, name: str) -> list[str]:
        name = self._norm(name)
        values = [v for k, v in self.headers if self._norm(k) == name]
        if name in _MULTI:
            split: list[str] = []
            for value in values:
                split.extend(p.strip() for p in split_commas(value))
            return split
        return values

    def get(self, name: str, default: str = "") -> str:
        values = self.get_all(name)
        return values[0] if values else default

    def set(self, name: str, value: str) -> None:
        self.remove(name)
        self.headers.append([name, value])

    def add(self, name: str, value: str) -> None:
        self.headers.append([name, value])

    def remove(self, name: str) -> None:
        norm = self._norm(name)
        self.headers = [h for h in self.headers if self._norm(h[0]) != norm]

    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> int:
        return int(self.get("cseq", "0 X").split()[0])

    @property
    def cseq_method(self) -> str:
        parts = self.get("cseq", "0 X").split()
        return parts[1].upper() if len(parts) > 1 else ""

    @property
    def branch(self) -> str:
        return param(self.get("via"), "branch") or ""

    def encode(self) -> bytes:
        lines = [self.first]
        lines += [f"{k}: {v}" for k, v in self.headers if self._norm(k) != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    def __repr__(self):
        return f"<SipMessage {self.first!r}>"


def split_commas(value: str) -> list[str]:
    """Splits a header value on commas outside quotes and angle brackets."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            depth += 1
        elif not quoted and ch == ">":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p for p in parts if p.strip()]


def parse(data: bytes) -> SipMessage:
    """One message from a datagram (or a framed TCP message). ValueError when it is not SIP."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = data.partition(b"\n\n")
    text = head.decode("utf-8", errors="replace")
    lines = text.replace("\r\n", "\n").split("\n")
    first = lines[0].strip()
    if not first or not (first.startswith("SIP/2.0 ") or first.endswith(" SIP/2.0")):
        raise ValueError("not a SIP message")
    headers: list[list[str]] = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and headers:  # folded line
            headers[-1][1] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"bad header line {line!r}")
        headers.append([name.strip(), value.strip()])
    msg = SipMessage(first, headers, b"")
    length = msg.get("content-length")
    if length.isdigit():
        body = body[: int(length)]
    msg.body = body
    if not msg.is_request:
        msg.status  # noqa: B018 - raises ValueError for a malformed status line
    return msg


def param(value: str, name: str) -> str | None:
    """A `;name=value` parameter of a header value (outside the `<...>` part)."""
    tail = value.rsplit(">", 1)[-1] if ">" in value else value
    for part in tail.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == name:
            return val.strip().strip('"')
    return None


def uri_in(value: str) -> str:
    """The URI of a name-addr (`"A" <sip:x@h>;tag=1` -> `sip:x@h`) or addr-spec (params dropped)."""
    m = re.search(r"<([^>]*)>", value)
    return m.group(1) if m else value.split(";", 1)[0].strip()


def host_port(uri: str, default_port: int = 5060) -> tuple[str, int, str]:
    """(host, port, transport) of a SIP URI: `sip:201@127.0.0.1:5071;transport=UDP` -> ('127.0.0.1', 5071, 'udp')."""
    rest = re.sub(r"^sips?:", "", uri.strip(), flags=re.I)
    rest, _, params = rest.partition(";")
    rest = rest.split("?", 1)[0]
    hostport = rest.rsplit("@", 1)[-1]
    transport = "udp"
    for p in params.split(";"):
        k, _, v = p.partition("=")
        if k.lower() == "transport" and v:
            transport = v.lower()
    if hostport.startswith("["):
        host, _, port = hostport[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = hostport.partition(":")
    return host, int(port) if port.isdigit() else default_port, transport


def response_to(request: SipMessage, status: int, reason: str, to_tag: str | None = None) -> SipMessage:
    """A response with the request's Via, From, To (plus our tag when it has none), Call-ID and CSeq."""
    headers = [[k, v] for k, v in request.headers if SipMessage._norm(k) == "via"]
    to = request.get("to")
    if to_tag and param(to, "tag") is None:
        to = f"{to};tag={to_tag}"
    headers += [["From", request.get("from")], ["To", to], ["Call-ID", request.call_id], ["CSeq", request.get("cseq")]]
    return SipMessage(f"SIP/2.0 {status} {reason}", headers)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def parse_challenge(value: str) -> dict[str, str]:
    value = re.sub(r"^\s*Digest\s+", "", value, flags=re.I)
    return {key.lower(): quoted or bare for key, quoted, bare in _params(value)}


def _params(value: str):
    for m in re.finditer(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', value):
        yield m.group(1), m.group(2) or "", m.group(3) or ""


def digest_credentials(
    challenge: str, method: str, uri: str, username: str, password: str | None = None, ha1: str | None = None
) -> str:
    """The `Authorization`/`Proxy-Authorization` value answering `challenge`, from the SIP password or the
    stored HA1 (md5(user:realm:password), CALLCONTROL.md pitfall 11)."""
    c = parse_challenge(challenge)
    realm, nonce = c.get("realm", ""), c.get("nonce", "")
    if ha1 is None:
        ha1 = _md5(f"{username}:{realm}:{password or ''}")
    ha2 = _md5(f"{method}:{uri}")
    parts = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', "algorithm=MD5"]
    qops = [q.strip() for q in c.get("qop", "").split(",") if q.strip()]
    if "auth" in qops:
        cnonce, nc = token(16), "00000001"
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    parts.append(f'response="{response}"')
    if c.get("opaque"):
        parts.append(f'opaque="{c["opaque"]}"')
    return "Digest " + ", ".join(parts)
