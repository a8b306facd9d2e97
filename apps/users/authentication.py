"""Authentication of the sipXconfig URIs (docs/compatibility.md A.4, D6, D7, D8): Basic, Digest (MD5, qop=auth,
server-signed nonces) and private feed keys (`/private/{key}/...`). Login name = user name, alias, or
enabled IM id; password = portal PIN. Every credential check passes the lockout (D7) first."""

import base64
import hashlib
import hmac
import re

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied, Throttled

from apps.users import credentials, lockout, nonces
from apps.users.models import User


class StaleNonce(AuthenticationFailed):
    """A genuine Digest nonce that has expired: the client should retry with the fresh one (stale=true)."""

    stale = True
    default_detail = "The Digest nonce has expired; retry with the new one."


class ReplayedNonce(AuthenticationFailed):
    """The right Digest response, but its nonce count was used before: a replay (401 with stale=false)."""

    stale = "false"  # said explicitly (challenge_value below), unlike an ordinary failure's challenge
    default_detail = "This Digest nonce count was used before; each request needs a larger nc (or a new nonce)."


def challenge_value(stale: bool | str = False) -> str:
    """The 401 challenges of docs/compatibility.md A.4, joined in one value (sipxweb.rest.challenges splits them
    into two header lines): a Digest challenge with a server-signed nonce, then Basic. `stale` True adds
    `stale=true` (an expired nonce); the text "false" adds `stale=false`, which a replayed nonce count gets: the
    client must not simply retry the same credentials. settings.AUTH_CHALLENGE names this function, so the REST
    error handler (sipxweb/rest/errors.py) sends these challenges without importing this app."""
    from django.conf import settings

    realm = settings.SIPX_REALM
    digest = f'Digest realm="{realm}", qop="auth", nonce="{nonces.issue()}"'
    if isinstance(stale, str):
        digest += f", stale={stale}"
    elif stale:
        digest += ", stale=true"
    return f'{digest}, Basic realm="{realm}"'


def _locked(exc: lockout.Locked) -> Throttled:
    # DRF would append its own "Expected available in N seconds." to a detail given with `wait`: the sentence
    # says it once, and `wait` is set afterwards for the Retry-After header.
    throttled = Throttled(
        detail=f"Too many failed logins for this account from this address; try again in {exc.retry_after} seconds."
    )
    throttled.wait = exc.retry_after
    return throttled


class _ChallengingAuthentication(BaseAuthentication):
    def authenticate_header(self, request):
        return challenge_value()


def basic_pair(request) -> tuple[str, str] | None:
    """(name, secret) of a Basic Authorization header (UTF-8, else Latin-1), None without one; a malformed one
    raises AuthenticationFailed."""
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
    name, sep, secret = text.partition(":")
    if not sep:
        raise AuthenticationFailed("The Basic credentials must be 'name:PIN'.")
    return name, secret


class BasicAuthentication(_ChallengingAuthentication):
    def authenticate(self, request):
        pair = basic_pair(request)
        return None if pair is None else self.check_basic(request, *pair)

    def check_basic(self, request, name: str, pin: str):
        """A user's login name and portal PIN (apps/provisioning overrides this with its own credential)."""
        login, bare, domain_ok = credentials.resolve(name)
        address, account = lockout.client_address(request), credentials.account_key(login, bare)
        if login is not None and domain_ok and credentials.remembered(login.user, pin):
            # This process verified this very PIN against the current hash before: no guess, nothing to count.
            attempt = _begin(address, account)
            lockout.succeeded(attempt)
            return (login.user, None)
        attempt = lockout.attempt(address, account)
        if lockout.suspect(attempt):
            # Failures seen lately: the slot is taken before the hash, so a locked account costs no hash.
            return _verify(_begin(address, account), lambda: credentials.check_login_pin(login, domain_ok, pin))
        return settle(attempt, credentials.check_login_pin(login, domain_ok, pin))


# name=value or name="quoted value" (the quoted form unrolled: no backtracking per character).
_DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s,]+))')
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_NC = re.compile(r"[0-9a-fA-F]{1,8}")


def parse_digest(header: str) -> dict[str, str]:
    # An unquoted value is never empty, so a non-empty third group means the unquoted form matched.
    return {name.lower(): unquoted or quoted for name, quoted, unquoted in _DIGEST_PARAM.findall(header)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8", "surrogateescape")).hexdigest()


def _malformed(params: dict[str, str]) -> str | None:
    """Why these Digest parameters cannot be a response to our challenge (checked before any PIN), or None."""
    if not _HEX32.fullmatch(params["response"]):
        return "The Digest response must be 32 hexadecimal digits."
    if params.get("algorithm", "MD5").upper() != "MD5":
        return "Only the Digest algorithm MD5 is offered."
    qop = params.get("qop")
    if qop not in (None, "auth"):
        return "Only the Digest qop auth is offered."
    if qop == "auth" and not _NC.fullmatch(params.get("nc", "")):
        return "Digest with qop=auth needs nc, 1 to 8 hexadecimal digits."
    return None


class DigestAuthentication(_ChallengingAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header[:7].lower() == b"digest ":
            return None
        params = parse_digest(header[7:].decode("latin-1"))
        missing = [k for k in ("username", "realm", "nonce", "uri", "response") if not params.get(k)]
        if missing:
            raise AuthenticationFailed(f"The Digest credentials lack {', '.join(missing)}.")
        problem = _malformed(params)
        if problem:
            raise AuthenticationFailed(problem)
        principal, stored_ha1, account = self.digest_account(params["username"])
        from django.conf import settings

        # The check first (two MD5s, no cache), then one read of the lockout counters and of this nonce's
        # highest nc decides; a success with no failures counted writes only the new nc.
        state = nonces.check(params["nonce"])
        # Without a login, an HA1 nobody has: the same two MD5s, the same answer time.
        ha1 = stored_ha1 if principal is not None and stored_ha1 else "0" * 32
        ha2 = _md5(f"{request.method}:{params['uri']}")
        if params.get("qop") == "auth":
            expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params.get('cnonce', '')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{params['nonce']}:{ha2}")
        right = (
            hmac.compare_digest(expected, params["response"].lower())
            and principal is not None
            and bool(stored_ha1)
            and params["realm"] == settings.SIPX_REALM
            and state != "bad"
            and _uri_matches(request, params["uri"])
        )
        attempt = lockout.attempt(lockout.client_address(request), account)
        nc_key = nonces.nc_key(params["nonce"]) if right and state == "ok" else None
        # Without qop there is no counter: such a nonce serves one request.
        nc = int(params.get("nc", "1"), 16)

        def then(found: dict) -> None:
            if state == "stale":
                # Right password, old nonce: ask the client to retry (RFC 7616 stale=true), not a failure.
                raise StaleNonce()
            if not nonces.use(params["nonce"], nc, found.get(nc_key)):
                raise ReplayedNonce()

        return settle(attempt, principal if right else None, also=(nc_key,) if nc_key else (), then=then)

    def digest_account(self, name: str) -> tuple[object | None, str, str]:
        """(who, stored HA1, lockout account) for the Digest user name as sent: a user and the HA1 of that login
        name (apps/provisioning overrides this with its own credential)."""
        login, bare, _ = credentials.resolve(name)
        # Digest proves knowledge of the HA1 of the name as sent; `user@domain` forms have no HA1 of their own.
        if login is not None and login.name != bare:
            login = None
        user = login.user if login is not None else None
        return user, login.digest_ha1 if login is not None else "", credentials.account_key(login, bare)


def _uri_matches(request, uri: str) -> bool:
    """The `uri` parameter must be this request's target, exactly as sent (RAW_URI under gunicorn) or as Django
    rebuilt it (path and query): a URI that merely ends with it names another resource."""
    return uri == request.get_full_path() or uri == request.META.get("RAW_URI")


def _begin(address: str, account: str) -> lockout.Attempt:
    try:
        return lockout.begin(address, account)
    except lockout.Locked as exc:
        raise _locked(exc) from None


def settle(attempt: lockout.Attempt, user: object | None, also: tuple[str, ...] = (), then=None):
    """After a check made without a lockout slot: one read of the counters (and of the keys `also`, handed to
    `then`) decides (apps/users/lockout.py); `user` is who the right credentials stand for, None when wrong.
    `then(found)` may still refuse a right answer (stale, replayed): the slot, if one was taken, is given back and
    the failures stay."""
    try:
        found = lockout.read(attempt, also)
        lockout.settle(attempt, right=user is not None)
    except lockout.Locked as exc:
        raise _locked(exc) from None
    if user is None:
        raise AuthenticationFailed("The user name or PIN is wrong.")
    if then is not None:
        try:
            then(found)
        except AuthenticationFailed:
            lockout.release(attempt)
            raise
    lockout.succeeded(attempt)
    return (user, None)


def _verify(attempt: lockout.Attempt, check):
    """Runs `check` (returns a User or None) in a lockout slot: the slot is taken before the check, so parallel
    guesses never check more PINs than the limit; a right PIN gives it back."""
    try:
        lockout.reserve(attempt)
    except lockout.Locked as exc:
        raise _locked(exc) from None
    try:
        user = check()
    except AuthenticationFailed:
        # Stale or replayed: the PIN was right, nobody guessed; the slot is returned, the failures stay.
        lockout.release(attempt)
        raise
    if user is None:
        lockout.failed(attempt)
        raise AuthenticationFailed("The user name or PIN is wrong.")
    lockout.succeeded(attempt)
    return (user, None)


# What the RSS link needs: the voicemail feed and the audio its enclosures point at.
_FEED_VIEWS = frozenset({"voicemail-api:private-feed", "voicemail-api:private-audio"})
_FEED_KEY = re.compile(r"[0-9A-Za-z_-]{1,64}")


class PrivateKeyAuthentication(_ChallengingAuthentication):
    """`/sipxconfig/rest/private/{key}/...`: the key's owner, without HTTP credentials. Unknown key → 404
    (so a regenerated key's old URLs answer 404, D9).

    The key is published in every RSS link (a feed reader stores it, a proxy logs it), so by default it opens
    only the voicemail feed and its audio; any other `/private/{key}/...` URI is 403. FEED_KEY_FULL_ACCESS=1
    restores sipXconfig 4.6, where the key stood for its owner on every `/my` URI."""

    def authenticate(self, request):
        from django.conf import settings

        kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs") or {}
        key = kwargs.get("key")
        if key is None:
            return None
        # Keys are 32 hex digits; anything else (NUL, which PostgreSQL refuses, included) is no key of ours.
        user = User.objects.filter(feed_key=key, is_active=True).first() if _FEED_KEY.fullmatch(key) else None
        if user is None:
            raise NotFound("No such private URL; the feed key may have been renewed.")
        match = getattr(request._request, "resolver_match", None)
        if not settings.FEED_KEY_FULL_ACCESS and (match is None or match.view_name not in _FEED_VIEWS):
            raise PermissionDenied(
                "The feed key opens only the voicemail feed and its audio; use /my/ with your user name and PIN."
            )
        return (user, None)
