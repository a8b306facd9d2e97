"""The provisioning credential over HTTP Basic and Digest: the users app's authentication classes
(apps/users/authentication.py) with the credential check swapped for ours, so parsing, Digest nonces and their
counts, the realm (SIPX_REALM) and the lockout (every wrong answer counts, apps/users/lockout.py) are theirs.

A user's login name and PIN are not the credential: a request with them is a wrong answer like any other."""

import hashlib
import hmac

from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed, Throttled

from apps.provisioning import services
from apps.provisioning.models import ProvisioningSettings
from apps.users import lockout
from apps.users.authentication import BasicAuthentication, DigestAuthentication, settle


class Provisioner:
    """Who the right credential stands for (no user: a phone)."""

    is_authenticated = True

    def __init__(self, credential: ProvisioningSettings):
        self.credential = credential


def _account(name: str) -> str:
    # Failures count against their own account, never against a user who happens to have the same name.
    return lockout.account_of(None, f"provisioning:{name}")


def _same(given: str, stored: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), stored.encode("utf-8", "surrogateescape"))


class ProvisioningBasic(BasicAuthentication):
    def __init__(self, credential: ProvisioningSettings):
        self.credential = credential

    def check_basic(self, request, name: str, password: str):
        right = _same(name, self.credential.user) & _same(password, self.credential.password)
        attempt = lockout.attempt(lockout.client_address(request), _account(name))
        return settle(attempt, Provisioner(self.credential) if right else None)


class ProvisioningDigest(DigestAuthentication):
    def __init__(self, credential: ProvisioningSettings):
        self.credential = credential

    def digest_account(self, name: str):
        if not _same(name, self.credential.user):
            return None, "", _account(name)
        user, password = self.credential.user, self.credential.password
        ha1 = hashlib.md5(f"{user}:{settings.SIPX_REALM}:{password}".encode()).hexdigest()
        return Provisioner(self.credential), ha1, _account(name)


class Refused(Exception):
    """The request may not have the file: `status` (401 or 429), the sentence, and the challenge's `stale`."""

    def __init__(self, status: int, message: str, stale: bool | str = False, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.message, self.stale, self.retry_after = status, message, stale, retry_after


def authenticate(request) -> ProvisioningSettings:
    """The credential, when the request carries it (Basic or Digest); raises Refused otherwise."""
    credential = services.credential()
    try:
        for method in (ProvisioningBasic(credential), ProvisioningDigest(credential)):
            if method.authenticate(request) is not None:
                return credential
    except Throttled as exc:
        raise Refused(429, str(exc.detail), retry_after=exc.wait) from None
    except AuthenticationFailed as exc:
        message = str(exc.detail)
        if message == "The user name or PIN is wrong.":  # the users app's sentence, said for a phone
            message = "The provisioning user name or password is wrong."
        raise Refused(401, message, getattr(exc, "stale", False)) from None
    raise Refused(401, "Provisioning files need the provisioning credential (HTTP Basic or Digest).")
