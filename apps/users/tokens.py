"""API tokens: created, looked up, used and revoked here, whichever face asks (POST /api/v1/tokens, the token
pages); `BearerAuthentication` lets DRF views accept them."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.audit import services as audit
from apps.users.models import ApiToken, User
from apps.users.services import UserError

PREFIX = "sxw_"
NAME_MAX = ApiToken._meta.get_field("name").max_length
# last_used is written at most this often per token: a busy integration would otherwise write on every request.
LAST_USED_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def fields(token: ApiToken) -> dict:
    """What the audit log keeps of a token (never the token)."""
    return {"name": token.name, "scope": token.scope, "expires": token.expires, "user": token.user.username}


@transaction.atomic
def create_token(user: User, name: str, scope: str, expires: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise UserError("A token needs a name.", "name")
    if len(name) > NAME_MAX:
        raise UserError(f"A token's name has at most {NAME_MAX} characters.", "name")
    if scope not in ApiToken.Scope.values:
        raise UserError(f'The scope is "read" or "write", not "{scope}".', "scope")
    if expires is not None and expires <= timezone.now():
        raise UserError("The expiry must be in the future.", "expires")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, scope=scope, expires=expires, prefix=secret[:10], digest=_digest(secret)
    )
    audit.record("token", token.pk, None, fields(token))
    return token, secret


def revoke_token(token: ApiToken) -> None:
    if token.revoked is None:
        before = fields(token)
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit.record("token", token.pk, before, {**before, "revoked": token.revoked})


def usable(secret: str) -> ApiToken | None:
    """The token `secret` names when it may be used now (not revoked, not expired, its user enabled)."""
    if not secret.startswith(PREFIX):
        return None
    # One row by a unique column: no ordering (the model's, by user, would make Django compile joins each time).
    token = next(iter(ApiToken.objects.select_related("user").filter(digest=_digest(secret)).order_by()[:1]), None)
    now = timezone.now()
    if token is None or token.revoked is not None or (token.expires is not None and token.expires <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def tokens_of(user: User):
    """The tokens a user sees: an admin every token, anyone else their own."""
    tokens = ApiToken.objects.select_related("user")
    return tokens if user.is_admin else tokens.filter(user=user)


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`: request.user is the token's user, request.auth the ApiToken."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("The Bearer header must be 'Bearer <token>'.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("The token is unknown, expired or revoked.") from None
        if not secret.startswith(PREFIX):
            # Not an API token: another Bearer credential (the SIP proxy's service token, which its own permission
            # checks on POST /cse and the route lookup) is none of this class's business.
            return None
        token = usable(secret)
        if token is None:
            raise AuthenticationFailed("The token is unknown, expired or revoked.")
        return (token.user, token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
