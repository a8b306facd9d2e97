"""Where a call goes (docs/sipproxy.md#routing): the one rule Kamailio asks for each new INVITE (api/views.py)
and what a routing preview shows.

A user name or alias: the user's registered phones for `call_forward_timer` seconds, then the enabled ring list
in order — an `If no response` ring starts a new group when the previous group's timer ends, an `At the same
time` ring joins the previous group (which then rings as long as its longest member) — then, when everything
failed and the user has voicemail, SIPX_VOICEMAIL_URI. A ring's number that is a user name or alias rings that
user's phones; a SIP URI is called as it is; anything else goes to SIPX_GATEWAY (or the SIP domain). A number
another app holds goes to the media server, SIPX_MEDIA_URI, told which service and what to play: a number of the
dial plan's attendant list (dialplan_services.py) the auto-attendant that plays now (special mode decides:
settings.DIALPLAN_ATTENDANT), one of its voicemail list voicemail retrieval, a conference's extension that
conference. Anything else is unknown."""

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from apps.sipproxy.models import ServiceNumber
from apps.users.models import LoginName, Ring, User
from sipxweb import dialplan

_NUMBER = re.compile(r"[A-Za-z0-9+*#._~!$&'()=,;?/-]{1,64}")
# The media server's name of the service of another app's number (the dial plan's own are attendant, voicemail).
_SERVICE_OF_APP = {"conferences": "conference"}
# What a media URI value may carry unescaped: RFC 3261's unreserved characters and "+", legal both in a user
# part and in a URI parameter, wherever SIPX_MEDIA_URI puts the value.
_URI_SAFE = "-_.!~*'()+"
MEDIA_URI_NAMES = ("number", "app", "service", "target")  # SIPX_MEDIA_URI's placeholders (checks.py)


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
    service: str = ""  # media: attendant, voicemail or conference (another app's label for numbers of others)
    target: str = ""  # media: the attendant's system id (operator, afterhour, xcf<id>), the conference's name
    target_name: str = ""  # media, for people: the attendant's name
    special: bool = False  # media: the attendant plays because special mode is on


def _is_uri(number: str) -> bool:
    return number.lower().startswith(("sip:", "sips:"))


def _uri_for(number: str) -> str:
    if _is_uri(number):
        return number
    host = settings.SIPX_GATEWAY or settings.SIPX_DOMAIN
    return f"sip:{number}@{host}"


@dataclass
class _Callee:
    username: str
    forward_timer: int  # seconds the user's own phones ring
    voicemail: bool  # the user has the voicemail permission
    rings: list[tuple[str, int, str, str | None]]  # each enabled ring: number, seconds, type, the user it rings


@functools.cache
def _sql() -> tuple[str, str]:
    """The lookups behind a user's route, as plain SQL built once. Kamailio waits for this answer before a call
    rings (bench/sipproxy.py): through the ORM each query cost 2-4 ms to build on a busy host, as plain SQL
    ~0.1 ms. (1) the enabled user whose user name or alias is a lower-case name, with the enabled rings of the
    list in order (none: one row of NULLs); (2) the enabled users holding some lower-case names as user name or
    alias (`{}`: the placeholders, one per name). An IM id is a chat address, nobody's number."""
    qn = connection.ops.quote_name

    def col(model, name: str) -> str:
        return qn(model._meta.get_field(name).column)

    names, users, rings = (qn(m._meta.db_table) for m in (LoginName, User, Ring))
    joined = f"FROM {names} n JOIN {users} u ON u.{col(User, 'id')} = n.{col(LoginName, 'user')}"
    holding = f"n.{col(LoginName, 'kind')} <> %s AND u.{col(User, 'is_active')} AND n.{col(LoginName, 'folded')}"
    callee = (
        f"SELECT u.{col(User, 'username')}, u.{col(User, 'call_forward_timer')}, u.{col(User, 'perm_voicemail')}, "
        f"r.{col(Ring, 'number')}, r.{col(Ring, 'expiration')}, r.{col(Ring, 'type')} {joined} "
        f"LEFT JOIN {rings} r ON r.{col(Ring, 'user')} = u.{col(User, 'id')} AND r.{col(Ring, 'enabled')} "
        f"WHERE {holding} = %s ORDER BY r.{col(Ring, 'position')}, r.{col(Ring, 'id')}"
    )
    holders = f"SELECT n.{col(LoginName, 'folded')}, u.{col(User, 'username')} {joined} WHERE {holding} IN ({{}})"
    return callee, holders


def _is_name(number: str) -> bool:
    # A SIP URI is called as it is; a NUL is in nobody's name (and PostgreSQL refuses it in a parameter).
    return not _is_uri(number) and "\0" not in number


def _callee(dialled: str) -> _Callee | None:
    """The enabled user whose user name or alias `dialled` is (any case), with the ring list: one query, and one
    more for the users the rings name, however long the list."""
    callee_sql, holders_sql = _sql()
    im = LoginName.Kind.IM.value
    with connection.cursor() as cursor:
        cursor.execute(callee_sql, [im, dialled.lower()])
        rows = cursor.fetchall()
        if not rows:
            return None
        rings = [(number, seconds, kind) for _, _, _, number, seconds, kind in rows if number is not None]
        names = sorted({number.lower() for number, _, _ in rings if _is_name(number)})
        holders = {}
        if names:
            cursor.execute(holders_sql.format(", ".join(["%s"] * len(names))), [im, *names])
            holders = dict(cursor.fetchall())
    username, timer, voicemail = rows[0][:3]
    listed = [(number, seconds, kind, holders.get(number.lower())) for number, seconds, kind in rings]
    return _Callee(username, timer, bool(voicemail), listed)


def route_for(dialled: str) -> Route:
    """The route of a call to `dialled` (a user part, as dialled); UnknownNumber / BadRequest otherwise.
    A user's route costs at most two queries whatever its ring list (tests/sipproxy/test_route_api.py)."""
    if not isinstance(dialled, str) or not _NUMBER.fullmatch(dialled):
        raise BadRequest("'to' must be the dialled number: 1 to 64 characters of a SIP user part.")
    callee = _callee(dialled)
    if callee is None:
        held = dialplan.owners([dialled]).get(dialled.lower(), [])
        others = [owner for owner in held if owner.app != "users"]
        if others:
            return _media_route(dialled, others[0])
        raise UnknownNumber(f"Nobody and nothing has the number {dialled}.")
    username = callee.username
    groups = [Group(timer=callee.forward_timer, users=[username])]
    for number, seconds, kind, target in callee.rings:
        if kind == Ring.Type.PARALLEL:
            group = groups[-1]
            group.timer = max(group.timer, seconds)
        else:
            group = Group(timer=seconds)
            groups.append(group)
        if target is not None:
            if target not in group.users:
                group.users.append(target)
        else:
            group.uris.append(_uri_for(number))
    voicemail = ""
    if callee.voicemail and settings.SIPX_VOICEMAIL_URI:
        voicemail = settings.SIPX_VOICEMAIL_URI.format(user=username)
    return Route(kind="user", user=username, groups=groups, voicemail=voicemail)


def _media_route(dialled: str, owner: dialplan.Owner) -> Route:
    """The media server's route for a number another app holds: SIPX_MEDIA_URI with {number} (as that app stores
    it), {app} (the app's label: sipproxy for the dial plan's service numbers), {service} and {target}, each
    escaped for a SIP URI."""
    if not settings.SIPX_MEDIA_URI:
        raise UnknownNumber(f"{dialled} is {owner.what}, but no media server is configured (SIPX_MEDIA_URI).")
    route = Route(kind="media")
    if owner.app == "sipproxy":  # apps/sipproxy/dialplan.py: the owner's name is the service
        route.service = owner.name
        if owner.name == ServiceNumber.Service.ATTENDANT:
            playing = import_string(settings.DIALPLAN_ATTENDANT)()
            if playing is None:
                raise UnknownNumber(f"{dialled} is {owner.what}, but no auto-attendant plays now.")
            route.target, route.target_name, route.special = playing.target, playing.name, playing.special
    else:
        route.service = _SERVICE_OF_APP.get(owner.app, owner.app)
        route.target = route.target_name = owner.name
    values = dict(zip(MEDIA_URI_NAMES, (owner.number, owner.app, route.service, route.target), strict=True))
    route.media = settings.SIPX_MEDIA_URI.format_map({k: quote(v, safe=_URI_SAFE) for k, v in values.items()})
    return route


def for_kamailio(route: Route) -> dict:
    """The flat JSON Kamailio's json module reads field by field: `groups` (count), `g<i>` (the targets of group
    i, comma-separated `user:<name>` and `uri:<sip uri>`), `t<i>` (its seconds), `voicemail`, `media`, and what
    the media URI was made of: `service` (attendant, voicemail, conference) and `target` (the attendant's system
    id, the conference's name)."""
    answer: dict = {"kind": route.kind, "user": route.user, "groups": len(route.groups)}
    for index, group in enumerate(route.groups):
        answer[f"g{index}"] = ",".join([f"user:{u}" for u in group.users] + [f"uri:{u}" for u in group.uris])
        answer[f"t{index}"] = group.timer
    answer["voicemail"] = route.voicemail
    answer["media"] = route.media
    answer["service"] = route.service
    answer["target"] = route.target
    return answer
