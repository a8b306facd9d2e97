"""Click-to-call logic shared by `PUT /my/call/{to}`, `/callcontroller/...` and the portal's Call buttons:
number clean-up (B.3.1, and spaces: `check_target`, the one rule of every Call button), party parsing and
resolution (B.4), who may place which call (`authorize_call`), queueing an attempt for the agent, finding the
attempt a status asks for (its documents are api/serializers.py, its progress in words progress.py).

Parties become SIP URIs only through `apps.callcontrol.sip.SipUri`; a party that a SIP user part cannot
carry (`?` headers, `;` parameters, a second `@`, spaces, controls, quotes, angle brackets) is refused
here, before anything is stored, so the agent never has to guess what a stored URI meant."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.callcontrol import store
from apps.callcontrol.models import CallAttempt
from apps.callcontrol.sip import SipUri, check_host, unescape
from apps.users.credentials import find_login
from apps.users.models import LoginName

# B.3.1 deletes `[ ] ( ) . { } -`; people also write a number with spaces (`+39 02 5550 9999`, the no-break
# and thin spaces that phonebook files and browsers' copy-paste bring along), so those go as well. Tabs, line
# ends and other control characters stay: they are never part of a number someone dialled.
DIALLED_EXTRAS = " \u00a0\u2009\u202f"
_STRIP = str.maketrans("", "", "[](){}.-" + DIALLED_EXTRAS)
MAX_TARGET = 150
_CHAR = r"(?:[-_.!~*'()&=+$,;?/a-zA-Z0-9]|%[0-9a-fA-F]{2})"
_VALID = re.compile(rf"{_CHAR}+|{_CHAR}+@\w[-._\w]*\w\.\w{{2,6}}")


class BadParty(ValueError):
    """A party that cannot be written into a SIP URI; the message is the sentence the client gets."""


class CallNotAllowed(Exception):
    """The authenticated user may not place this call; the message is the sentence the client gets."""


# Characters a SIP user part cannot carry for us: `?` would start URI headers, `;` parameters, `@` a host,
# and whitespace, controls, quotes and angle brackets would break the header the URI is written into.
_NOT_IN_USER = re.compile(r"[?;@\s\x00-\x1f\x7f-\x9f<>\"\\\[\]{}|^`]")


def strip_dialled(value: str) -> str:
    """A number as people write it, as it is dialled: `+1 (617) 555-0142` -> `+16175550142` (a leading `+` is
    kept). The one rule for click-to-call's target (every page's Call button and `PUT /my/call/{to}`) and for
    matching a dialled number with a phonebook entry (apps/cdrs/names.py)."""
    return (value or "").translate(_STRIP)


def check_target(value: str) -> str:
    """A click-to-call target as typed -> what is dialled (B.3.1: `9.9-86(406)9[99]` -> `9986406999`, and
    spaces dropped: `+39 02 5550 9999` -> `+390255509999`). B.3.1 lists `;` and `?` as allowed, but in a
    Request-URI they start parameters and headers: refused. BadParty with the sentence every page and the REST
    answer show when `value` cannot be called."""
    cleaned = strip_dialled(value)
    shown = (value or "")[:MAX_TARGET]
    if not cleaned:
        raise BadParty(_("Enter a phone number or a user name to call."))
    if len(cleaned) > MAX_TARGET:
        raise BadParty(_("A number to call has at most %(max)s characters.") % {"max": MAX_TARGET})
    if not _VALID.fullmatch(cleaned) or not _callable(cleaned):
        raise BadParty(
            _(
                "%(shown)s is not a phone number or user name to call (digits, letters and * + , / are allowed; "
                "? ; @ quotes and angle brackets are not)."
            )
            % {"shown": repr(shown)}
        )
    return cleaned


def _callable(cleaned: str) -> bool:
    try:
        parse_party(cleaned)
    except BadParty:
        return False
    return True


def clean_target(value: str) -> str | None:
    """`check_target` for callers that only need to know: what is dialled, or None when `value` cannot be called."""
    try:
        return check_target(value)
    except BadParty:
        return None


def parse_party(value: str, domain: str | None = None) -> SipUri:
    """A party as typed (`200`, `alice`, `200@example.org`, `sip:200@example.org[:port]`) -> its SipUri
    (sipXconfig's SipUri.fix: no host means the SIP domain). %XX escapes are decoded first, so `%3F` is
    refused like `?`. BadParty with a sentence when the party cannot be a SIP address."""
    text = value or ""
    if text.lower().startswith(("sip:", "sips:")):
        scheme, _, text = text.partition(":")
    else:
        scheme = "sip"
    user, at, host = text.rpartition("@") if "@" in text else (text, "", "")
    try:
        user = unescape(user)
    except ValueError:
        raise BadParty(f"{value[:150]!r} has a % that is not a %XX escape of UTF-8 text.") from None
    if not user:
        raise BadParty(f"{value[:150]!r} has no user name or number.")
    if _NOT_IN_USER.search(user):
        raise BadParty(
            f"{value[:150]!r} cannot be a SIP address: a user name or number may not contain ? ; @ "
            "spaces, quotes, angle brackets or control characters."
        )
    port = None
    if at:
        host, colon, port_text = host.partition(":") if not host.startswith("[") else (host, "", "")
        if colon:
            if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
                raise BadParty(f"{value[:150]!r} has a bad port.")
            port = int(port_text)
        try:
            check_host(host)
        except ValueError:
            raise BadParty(f"{value[:150]!r} does not end in a valid host name or IP address.") from None
    return SipUri(user, host if at else (domain or settings.SIPX_DOMAIN), port, scheme=scheme.lower())


def sip_uri(value: str, domain: str | None = None) -> str:
    """sipXconfig's SipUri.fix: `200` -> `sip:200@<domain>`; `u@h` -> `sip:u@h`; `sip:...` as given, each
    written by the URI builder. BadParty when `value` cannot be a SIP address."""
    return str(parse_party(value, domain))


def party_uri(value: str) -> str:
    """B.4 party resolution: a local login name (user name, alias) becomes the user's canonical AOR."""
    if "@" not in value and not value.lower().startswith("sip:"):
        row = find_login(value)
        if row is not None:
            value = row.user.username
    return sip_uri(value)


def default_agent_name(calling: str) -> str:
    """The agent when the request names none: the calling party, and for a SIP address at the SIP domain
    (`sip:201@example.org`) its user part, so that a user's own address finds their credentials."""
    try:
        uri = parse_party(calling)
    except BadParty:
        return calling
    if "@" in calling and uri.host.lower().rstrip(".") == settings.SIPX_DOMAIN.lower() and uri.port is None:
        return uri.user
    return calling


def is_own_party(user, party: str) -> bool:
    """Whether `party` names `user`: one of their login names (user name, alias, IM id), bare or as a SIP
    address at the SIP domain (`sip:alice@example.org`, `201@example.org`)."""
    names = LoginName.objects.filter(user=user)
    if names.filter(folded=party.lower()).exists():
        return True  # a bare name, whatever characters the user name has
    try:
        uri = parse_party(party)
    except BadParty:
        return False
    if "@" not in party or uri.host.lower().rstrip(".") != settings.SIPX_DOMAIN.lower() or uri.port is not None:
        return False
    return names.filter(folded=uri.user.lower()).exists()


def authorize_call(user, calling: str, agent=None, agent_name: str | None = None) -> None:
    """The one rule for who may place a call, used by PUT /my/call, POST /callcontroller and the call box:
    an administrator may place any call for any agent; anyone else only calls from their own phones (the
    calling party is one of their names or SIP addresses) as themselves (`agent` is them). CallNotAllowed
    with the sentence to answer otherwise."""
    if user.is_admin:
        return
    if (agent is not None and agent.pk != user.pk) or (
        agent is None and agent_name and not is_own_party(user, agent_name)
    ):
        name = agent_name or (agent.username if agent is not None else "")
        raise CallNotAllowed(f"Agent {name} does not match the authenticated user {user.username}")
    if not is_own_party(user, calling):
        raise CallNotAllowed(
            f"The calling party {calling[:150]} is not one of your own names or SIP addresses: only an "
            "administrator may ring another user's phones."
        )


def queue_call(agent, calling_uri: str, called_uri: str, key: str, **options) -> CallAttempt:
    """Queues an attempt; the agent picks it up within its polling interval. A new attempt for the same key
    replaces the previous one (the agent tears that down)."""
    with transaction.atomic():
        return CallAttempt.objects.create(
            key=key, agent=agent, calling_uri=calling_uri, called_uri=called_uri, **options
        )


def click_to_call(user, target: str) -> CallAttempt:
    """`PUT /my/call/{to}` and the call box: the user's own phones ring, then they are REFERred to `target`
    (already cleaned). BadParty / CallNotAllowed as `parse_party` and `authorize_call` say."""
    authorize_call(user, user.username, user)
    called = sip_uri(target)
    calling = str(SipUri(user.username, settings.SIPX_DOMAIN))  # the builder escapes any user name
    return queue_call(user, calling, called, key=click_to_call_key(user, target))


def click_to_call_key(user, target: str) -> str:
    """The key of the user's click-to-call attempts to `target` (as dialled): the call controller's
    `<agent>:<callingParty>:<calledParty>`, so its GET shows their status lines too."""
    return f"{user.username}:{user.username}:{target}"


def own_attempt(user, target: str) -> CallAttempt | None:
    """The user's newest click-to-call attempt to `target` (as dialled) whose result is still kept."""
    attempt = latest_attempt(click_to_call_key(user, target))
    return attempt if attempt is not None and attempt.agent_id == user.pk else None


def latest_attempt(key: str) -> CallAttempt | None:
    """The newest attempt for `key` whose result is still kept (resultCacheTime). Attempts a dead agent
    left running (lease run out) or nobody took are closed first, so a status never says "in progress"
    for a call that can no longer progress."""
    store.reap()
    attempt = CallAttempt.objects.filter(key=key).order_by("-created", "-id").first()
    if attempt is None:
        return None
    if attempt.finished and attempt.finished + timedelta(seconds=attempt.result_cache_time) < timezone.now():
        return None
    return attempt
