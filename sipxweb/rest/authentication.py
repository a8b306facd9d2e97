"""Authentication of the sipXconfig URIs (SPEC-REST A.4, D6, D7, D8): Basic, Digest (MD5, qop=auth,
server-signed nonces) and private feed keys (`/private/{key}/...`). Login name = user name, alias, or
enabled IM id; password = portal PIN. Every credential check passes the lockout (D7) first."""

import base64
import hashlib
import hmac
import re

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotFound, Throttled

from apps.users.credentials import authenticate_pin, find_login, strip_domain
from apps.users.models import User
from sipxweb.rest import lockout, nonces
from sipxweb.rest.challenges import challenge_value


class StaleNonce(AuthenticationFailed):
    """A genuine Digest nonce that has expired: the client should retry with the fresh one (stale=true)."""

    stale = True
    default_detail = "The Digest nonce has expired; retry with the new one."


def _locked(exc: lockout.Locked) -> Throttled:
    return Throttled(
        wait=exc.retry_after,
        detail=f"Too many failed logins from this address; try again in {exc.retry_after} seconds.",
    )


class _ChallengingAuthentication(BaseAuthentication):
    def authenticate_header(self, request):
        return challenge_value()


class BasicAuthentication(_ChallengingAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header[:6].lower() == b"basic ":
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True)
            try:
                text = decoded.decode("utf-8")
            except UnicodeDecodeError:
                text = decoded.decode("latin-1")
        except ValueError:
            raise AuthenticationFailed("The Basic credentials are not valid base64.") from None
        name, sep, pin = text.partition(":")
        if not sep:
            raise AuthenticationFailed("The Basic credentials must be 'name:PIN'.")
        return _verify(request, name, lambda: authenticate_pin(name, pin))


# name=value or name="quoted value" (the quoted form unrolled: no backtracking per character).
_DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s,]+))')


def parse_digest(header: str) -> dict[str, str]:
    # An unquoted value is never empty, so a non-empty third group means the unquoted form matched.
    return {name.lower(): unquoted or quoted for name, quoted, unquoted in _DIGEST_PARAM.findall(header)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class DigestAuthentication(_ChallengingAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header[:7].lower() == b"digest ":
            return None
        params = parse_digest(header[7:].decode("latin-1"))
        missing = [k for k in ("username", "realm", "nonce", "uri", "response") if not params.get(k)]
        if missing:
            raise AuthenticationFailed(f"The Digest credentials lack {', '.join(missing)}.")
        name = params["username"]

        def check() -> User | None:
            from django.conf import settings

            if params["realm"] != settings.SIPX_REALM:
                return None
            state = nonces.check(params["nonce"])
            if state == "bad":
                return None
            if not _uri_matches(request, params["uri"]):
                return None
            row = find_login(strip_domain(name)[0])
            if row is None or not row.digest_ha1 or row.name != strip_domain(name)[0]:
                return None
            ha2 = _md5(f"{request.method}:{params['uri']}")
            qop = params.get("qop")
            if qop == "auth":
                expected = _md5(
                    f"{row.digest_ha1}:{params['nonce']}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}"
                )
            elif qop is None:
                expected = _md5(f"{row.digest_ha1}:{params['nonce']}:{ha2}")
            else:
                return None
            if not hmac.compare_digest(expected, params["response"].lower()):
                return None
            if state == "stale":
                # Right password, old nonce: ask the client to retry (RFC 7616 stale=true), not a failure.
                raise StaleNonce()
            return row.user

        return _verify(request, name, check)


def _uri_matches(request, uri: str) -> bool:
    full = request.get_full_path()
    raw = request.META.get("RAW_URI") or full
    return uri in {full, raw, request.path} or uri.endswith(full)


def _verify(request, name: str, check):
    """Runs `check` (returns a User or None) under the lockout for (client address, name)."""
    address = lockout.client_address(request)
    try:
        attempt = lockout.begin(address, name)
    except lockout.Locked as exc:
        raise _locked(exc) from None
    user = check()
    if user is None:
        lockout.failed(attempt)
        raise AuthenticationFailed("The user name or PIN is wrong.")
    lockout.succeeded(attempt)
    return (user, None)


class PrivateKeyAuthentication(_ChallengingAuthentication):
    """`/sipxconfig/rest/private/{key}/...`: the key's owner, without HTTP credentials. Unknown key → 404
    (so a regenerated key's old URLs answer 404, D9)."""

    def authenticate(self, request):
        kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
        key = kwargs.get("key")
        if key is None:
            return None
        user = User.objects.filter(feed_key=key, is_active=True).first()
        if user is None:
            raise NotFound("No such private URL; the feed key may have been renewed.")
        return (user, None)
