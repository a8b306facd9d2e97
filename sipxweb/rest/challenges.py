"""The 401 challenges of docs/compatibility.md A.4: a Digest challenge (server-signed nonce) and a Basic challenge.

Django keeps one value per header name, so the view layer joins both challenges into one
`WWW-Authenticate` value (valid per RFC 7235) and `sipxweb.wsgi` splits it back into two header lines,
which is what curl, PHP and the sipXconfig clients expect."""

import re

from django.conf import settings

from sipxweb.rest import nonces

_SPLIT = re.compile(r",\s*(?=(?:Basic|Digest)\s)")


def challenge_value(stale: bool | str = False) -> str:
    """`stale` True adds `stale=true` (an expired nonce); the text "false" adds `stale=false`, which a replayed
    nonce count gets: the client must not simply retry the same credentials."""
    realm = settings.SIPX_REALM
    digest = f'Digest realm="{realm}", qop="auth", nonce="{nonces.issue()}"'
    if isinstance(stale, str):
        digest += f", stale={stale}"
    elif stale:
        digest += ", stale=true"
    return f'{digest}, Basic realm="{realm}"'


def split_challenges(value: str) -> list[str]:
    return _SPLIT.split(value)
