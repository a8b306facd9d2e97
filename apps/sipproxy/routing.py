"""Where a call goes (docs/sipproxy.md#routing): the one rule Kamailio asks for each new INVITE (api/views.py)
and what a routing preview shows.

A user name or alias: the user's registered phones for `call_forward_timer` seconds, then the enabled ring list
in order — an `If no response` ring starts a new group when the previous group's timer ends, an `At the same
time` ring joins the previous group (which then rings as long as its longest member) — then, when everything
failed and the user has voicemail, SIPX_VOICEMAIL_URI. A ring's number that is a user name or alias rings that
user's phones; a SIP URI is called as it is; anything else goes to SIPX_GATEWAY (or the SIP domain). A number
another app holds (a conference, an auto-attendant, the voicemail retrieval number) goes to SIPX_MEDIA_URI.
Anything else is unknown."""

import re
from dataclasses import dataclass, field

from django.conf import settings

from apps.users.credentials import find_login
from apps.users.models import LoginName, Ring
from sipxweb import dialplan

_NUMBER = re.compile(r"[A-Za-z0-9+*#._~!$&'()=,;?/-]{1,64}")


class UnknownNumber(LookupError):
    pass


class BadRequest(ValueError):
    pass


@dataclass
class Group:
    timer: int  # seconds this group rings before the next one starts (0: as long as the proxy allows)
    users: list[str] = field(default_factory=list)  # whose registered phones ring
    uris: list[str] = field(default_factory=list)  # SIP URIs called as they are


@dataclass
class Route:
    kind: str  # "user" or "media"
    user: str = ""
    groups: list[Group] = field(default_factory=list)
    voicemail: str = ""
    media: str = ""


def _uri_for(number: str) -> str:
    if number.lower().startswith(("sip:", "sips:")):
        return number
    host = settings.SIPX_GATEWAY or settings.SIPX_DOMAIN
    return f"sip:{number}@{host}"


def _user_of(number: str) -> str | None:
    if number.lower().startswith(("sip:", "sips:")):
        return None
    login = find_login(number)
    if login is None or login.kind == LoginName.Kind.IM or not login.user.is_active:
        return None
    return login.user.username


def route_for(dialled: str) -> Route:
    """The route of a call to `dialled` (a user part, as dialled); UnknownNumber / BadRequest otherwise."""
    if not isinstance(dialled, str) or not _NUMBER.fullmatch(dialled):
        raise BadRequest("'to' must be the dialled number: 1 to 64 characters of a SIP user part.")
    username = _user_of(dialled)
    if username is None:
        held = dialplan.owners([dialled]).get(dialled.lower(), [])
        others = [owner for owner in held if owner.app != "users"]
        if others and settings.SIPX_MEDIA_URI:
            owner = others[0]
            return Route(kind="media", media=settings.SIPX_MEDIA_URI.format(number=owner.number, app=owner.app))
        raise UnknownNumber(f"Nobody and nothing has the number {dialled}.")
    from apps.users.models import User

    user = User.objects.get(username=username)
    groups = [Group(timer=user.call_forward_timer, users=[username])]
    for ring in Ring.objects.filter(user=user, enabled=True).order_by("position", "id"):
        target = _user_of(ring.number)
        if ring.type == Ring.Type.PARALLEL:
            group = groups[-1]
            group.timer = max(group.timer, ring.expiration)
        else:
            group = Group(timer=ring.expiration)
            groups.append(group)
        if target is not None:
            if target not in group.users:
                group.users.append(target)
        else:
            group.uris.append(_uri_for(ring.number))
    voicemail = ""
    if user.perm_voicemail and settings.SIPX_VOICEMAIL_URI:
        voicemail = settings.SIPX_VOICEMAIL_URI.format(user=username)
    return Route(kind="user", user=username, groups=groups, voicemail=voicemail)


def for_kamailio(route: Route) -> dict:
    """The flat JSON Kamailio's json module reads field by field: `groups` (count), `g<i>` (the targets of group
    i, comma-separated `user:<name>` and `uri:<sip uri>`), `t<i>` (its seconds), `voicemail`, `media`."""
    answer: dict = {"kind": route.kind, "user": route.user, "groups": len(route.groups)}
    for index, group in enumerate(route.groups):
        answer[f"g{index}"] = ",".join([f"user:{u}" for u in group.users] + [f"uri:{u}" for u in group.uris])
        answer[f"t{index}"] = group.timer
    answer["voicemail"] = route.voicemail
    answer["media"] = route.media
    return answer
