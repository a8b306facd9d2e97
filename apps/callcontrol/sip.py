"""The small SIP message layer of the call-control agent (RFC 3261 syntax only, no SIP library): parse and
build messages, read URIs, answer Digest challenges (RFC 2617 / 3261 22.4, MD5, qop=auth or none).

Every value that comes from a user or the database reaches a SIP message through one of three writers:
`SipUri` (the only URI builder: user part, parameters and headers escaped per RFC 3261 25.1, host
validated), `quoted_string` (display names and other quoted values) and `name_addr`. `SipMessage.encode`
refuses CR, LF and NUL anywhere in the first line or a header, so a value that slipped past them cannot
add a header line."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import re
import secrets
import unicodedata

from apps.cdrs.sipuri import quote

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
        for line in lines:
            # The last line of defence against header injection: a CR or LF inside a value would start a
            # header line of its own. Builders escape before this; reaching it is a programming error.
            if _LINE_BREAKERS.search(line):
                raise ValueError(f"a SIP header line may not contain CR, LF or NUL: {line[:80]!r}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    def __repr__(self):
        return f"<SipMessage {self.first!r}>"


_LINE_BREAKERS = re.compile(r"[\r\n\x00]")


# ---- writing values into messages (RFC 3261 25.1) --------------------------------------------------------
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_UNRESERVED = _ALNUM + "-_.!~*'()"
# `user-unreserved` minus ";" and "?": they are legal in a user part, but many parsers end the user part
# there, so we always send them escaped.
_USER_SAFE = frozenset(_UNRESERVED + "&=+$,/")
_PARAM_SAFE = frozenset(_UNRESERVED + "[]/:&+$")
_HEADER_SAFE = frozenset(_UNRESERVED + "[]/?:+$")
_TOKEN = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
_HOSTNAME = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?\.?")
_ESCAPED = re.compile(r"%([0-9A-Fa-f]{2})")


def escape(text: str, safe: frozenset[str]) -> str:
    """`text` with every character outside `safe` written as %XX of its UTF-8 bytes (RFC 3261 `escaped`)."""
    return "".join(ch if ch in safe else "".join(f"%{b:02X}" for b in ch.encode()) for ch in text)


def unescape(text: str) -> str:
    """The reverse of `escape`: %XX sequences decoded as UTF-8. ValueError for a lone % or bad UTF-8."""
    if "%" in _ESCAPED.sub("", text):
        raise ValueError(f"{text!r} has a % that does not start a %XX escape")
    raw = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            raw.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            raw += text[i].encode()
            i += 1
    return raw.decode()


def check_host(host: str) -> str:
    """A host name, IPv4 address or [IPv6] reference, as written in a SIP URI; ValueError otherwise."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValueError(f"{host!r} is not an IPv6 reference") from None
        return host
    if not host or len(host) > 253 or not _HOSTNAME.fullmatch(host):
        raise ValueError(f"{host!r} is not a host name or IP address")
    return host


def quoted_string(text: str) -> str:
    """`text` as an RFC 3261 quoted-string: `\\` and `"` escaped; control characters (CR, LF, NUL, tab, DEL,
    C1) and line/paragraph separators become spaces, because quoted-pair may not carry CR or LF and a
    separator would look like a line break to a careless reader."""
    # The escaping is the data file's (cdrs.sipuri.quote, which reads back exactly); SIP adds only the
    # cleaning, because a quoted-pair may not carry CR or LF on the wire.
    return quote(header_text_chars(text))


def header_text_chars(text: str) -> str:
    """`text` with control characters and line/paragraph separators replaced by spaces."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


def header_text(text: str) -> str:
    """Free text for a header value (Subject): control characters and separators become spaces."""
    return header_text_chars(text).strip()


@dataclasses.dataclass(frozen=True)
class SipUri:
    """A SIP URI as parts; `str()` is the only way a URI is written into a message (RFC 3261 19.1.1):
    `user` (unescaped text) is escaped, the host is validated, parameter and header names must be tokens
    and their values are escaped. `SipUri.parse()` reads one back (strictly: no spaces, quotes, brackets)."""

    user: str | None
    host: str
    port: int | None = None
    params: tuple[tuple[str, str | None], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    scheme: str = "sip"

    def __post_init__(self):
        if self.scheme not in ("sip", "sips"):
            raise ValueError(f"{self.scheme!r} is not a SIP URI scheme")
        if self.user is not None and not self.user:
            raise ValueError("the user part of a SIP URI may not be empty")
        check_host(self.host)
        if self.port is not None and not (isinstance(self.port, int) and 0 < self.port < 65536):
            raise ValueError(f"{self.port!r} is not a port number")
        for name, _ in (*self.params, *self.headers):
            if not _TOKEN.fullmatch(name):
                raise ValueError(f"{name!r} is not a parameter or header name")

    def __str__(self) -> str:
        out = f"{self.scheme}:"
        if self.user is not None:
            out += escape(self.user, _USER_SAFE) + "@"
        out += self.host if self.port is None else f"{self.host}:{self.port}"
        for name, value in self.params:
            out += f";{name}" if value is None else f";{name}={escape(value, _PARAM_SAFE)}"
        if self.headers:
            out += "?" + "&".join(f"{n}={escape(v, _HEADER_SAFE)}" for n, v in self.headers)
        return out

    def with_params(self, *params: tuple[str, str | None]) -> SipUri:
        return dataclasses.replace(self, params=self.params + tuple(params))

    def without_headers(self) -> SipUri:
        """For a Request-URI, To or From: URI headers belong only in a Refer-To or a redirect (19.1.5)."""
        return dataclasses.replace(self, headers=())

    def with_headers(self, *headers: tuple[str, str]) -> SipUri:
        return dataclasses.replace(self, headers=self.headers + tuple(headers))

    @property
    def aor(self) -> SipUri:
        """The address of record: no port, parameters or headers."""
        return SipUri(self.user, self.host, scheme=self.scheme)

    @classmethod
    def parse(cls, text: str) -> SipUri:
        """`sip:user@host:port;p=v?h=v` -> SipUri (escapes decoded). ValueError when it is not one."""
        if not text or re.search(r"[\s<>\"\x00-\x1f\x7f]", text):
            raise ValueError(f"{text[:80]!r} is not a SIP URI")
        scheme, colon, rest = text.partition(":")
        if not colon or scheme.lower() not in ("sip", "sips"):
            raise ValueError(f"{text[:80]!r} is not a SIP URI")
        rest, _, header_text_ = rest.partition("?")
        rest, *param_parts = rest.split(";")
        user, at, hostport = rest.rpartition("@")
        if "@" in user:
            raise ValueError(f"{text[:80]!r} has more than one @")
        if hostport.startswith("["):
            host, _, port = hostport.partition("]")
            host += "]"
            port = port[1:] if port.startswith(":") else port
        else:
            host, _, port = hostport.partition(":")
        if port and not (port.isascii() and port.isdigit()):
            raise ValueError(f"{text[:80]!r} has a bad port")
        params = []
        for part in param_parts:
            name, eq, value = part.partition("=")
            params.append((name, unescape(value) if eq else None))
        headers = []
        for part in header_text_.split("&") if header_text_ else []:
            name, _, value = part.partition("=")
            headers.append((name, unescape(value)))
        return cls(
            unescape(user) if at else None,
            host,
            int(port) if port else None,
            tuple(params),
            tuple(headers),
            scheme.lower(),
        )


def name_addr(uri: SipUri | str, display: str | None = None) -> str:
    """`"display" <uri>` (display name as a quoted-string) or `<uri>`; a string URI is parsed (and so
    validated) first."""
    uri = uri if isinstance(uri, SipUri) else SipUri.parse(uri)
    return f"{quoted_string(display)} <{uri}>" if display else f"<{uri}>"


def via_value(transport: str, host: str, port: int, branch: str) -> str:
    if transport not in ("UDP", "TCP"):
        raise ValueError(f"{transport!r} is not a Via transport")
    if not _TOKEN.fullmatch(branch):
        raise ValueError(f"{branch!r} is not a branch")
    return f"SIP/2.0/{transport} {check_host(host)}:{int(port)};branch={branch};rport"


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
    stored HA1 (md5(user:realm:password); a proxy may hand out only the HA1)."""
    c = parse_challenge(challenge)
    realm, nonce = c.get("realm", ""), c.get("nonce", "")
    if ha1 is None:
        ha1 = _md5(f"{username}:{realm}:{password or ''}")
    ha2 = _md5(f"{method}:{uri}")
    # Every value the challenge or the user supplied is written as a quoted-string (never raw).
    parts = [f"username={quoted_string(username)}", f"realm={quoted_string(realm)}", f"nonce={quoted_string(nonce)}"]
    parts += [f"uri={quoted_string(uri)}", "algorithm=MD5"]
    qops = [q.strip() for q in c.get("qop", "").split(",") if q.strip()]
    if "auth" in qops:
        cnonce, nc = token(16), "00000001"
        response = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        parts += ["qop=auth", f"nc={nc}", f"cnonce={quoted_string(cnonce)}"]
    else:
        response = _md5(f"{ha1}:{nonce}:{ha2}")
    parts.append(f'response="{response}"')
    if c.get("opaque"):
        parts.append(f"opaque={quoted_string(c['opaque'])}")
    return "Digest " + ", ".join(parts)
