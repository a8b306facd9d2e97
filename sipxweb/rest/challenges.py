"""The 401 challenges of docs/compatibility.md A.4 on the wire: which ones is settings.AUTH_CHALLENGE's business
(apps.users.authentication.challenge_value: Digest with a server-signed nonce, then Basic).

Django keeps one value per header name, so the view layer joins both challenges into one
`WWW-Authenticate` value (valid per RFC 7235) and `sipxweb.wsgi` splits it back into two header lines,
which is what curl, PHP and the sipXconfig clients expect."""

import re

from django.conf import settings
from django.utils.module_loading import import_string

_SPLIT = re.compile(r",\s*(?=(?:Basic|Digest)\s)")


def challenge_value(stale: bool | str = False) -> str:
    """The joined challenges of a 401, built by the function settings.AUTH_CHALLENGE names."""
    return import_string(settings.AUTH_CHALLENGE)(stale)


def split_challenges(value: str) -> list[str]:
    return _SPLIT.split(value)
