"""Digest nonces issued and verified by the server (D8): `<expiry ms>:<HMAC>` in base64. No storage is
needed, so every worker and host verifies every nonce; an expired but genuine nonce is "stale"."""

import base64
import hashlib
import hmac
import time

from django.conf import settings


def _sign(expiry: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"nonce:{expiry}".encode(), hashlib.sha256).hexdigest()[:32]


def issue(now: float | None = None) -> str:
    expiry = str(int(((now or time.time()) + settings.DIGEST_NONCE_SECONDS) * 1000))
    return base64.b64encode(f"{expiry}:{_sign(expiry)}".encode()).decode()


def check(nonce: str, now: float | None = None) -> str:
    """ "ok", "stale" (genuine but expired) or "bad"."""
    try:
        expiry, _, signature = base64.b64decode(nonce.encode(), validate=True).decode().partition(":")
        expiry_ms = int(expiry)
    except (ValueError, UnicodeDecodeError):
        return "bad"
    if not hmac.compare_digest(signature, _sign(expiry)):
        return "bad"
    return "ok" if expiry_ms / 1000 >= (now or time.time()) else "stale"
