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
conference. Anything else is unknown.

The user's availability at the time of the call (apps/users/availability.py, `state`) comes first: do not disturb
or an away period with voicemail only sends the call straight to voicemail (no groups; without voicemail the proxy
answers 480 Temporarily Unavailable), forward-all or an away period's number rings that number (a user name or alias:
that user's phones) for the user's `call_forward_timer` seconds instead of the user's phones and ring list, then
voicemail."""

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from apps.sipproxy.models import ServiceNumber
from apps.users import availability
from apps.users.models import AwayPeriod, LoginName, Ring, User
from sipxweb import dialplan

_NUMBER = re.compile(r"[A-Za-z0-9+*#._~!$&'()=,;?/-]{1,64}")
# The media server's name of the service of another app's number (the dial plan's own are attendant, voicemail).
_SERVICE_OF_APP = {"conferences": "conference"}
# What a media URI value may carry unescaped: RFC 3261's unreserved characters and "+", legal both in a user
# part and in a URI parameter, wherever SIPX_MEDIA_URI puts the value.
_URI_SAFE = "-_.!~*'()+"
MEDIA_URI_NAMES = ("number", "app", "service", "target")  # SIPX_MEDIA_URI's placeholders (checks.py)


class _Refusal(Exception):
    """A route refused with a sentence: `template % params`, in English (Kamailio's answer); the pages show
    `template` translated (views.problem_text), which is why each template is marked with gettext_noop."""

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


class UnknownNumber(_Refusal, LookupError):
    pass


class BadRequest(_Refusal, ValueError):
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
    reason: str = ""  # user: why the user's phones do not ring (availability.DND, FORWARD, AWAY), "" when they do
    away_until: datetime | None = None  # user: when the active away period's occurrence ends
    greeting: str | None = None  # user: the away period's greeting the voicemail plays


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
    state: availability.Availability = field(default_factory=availability.Availability)
    forward_user: str | None = None  # the user whose phones state.forward_to rings (None: a number or URI)


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
    away = qn(AwayPeriod._meta.db_table)
    has_away = f"EXISTS (SELECT 1 FROM {away} a WHERE a.{col(AwayPeriod, 'user')} = u.{col(User, 'id')})"
    callee = (
        f"SELECT u.{col(User, 'username')}, u.{col(User, 'call_forward_timer')}, u.{col(User, 'perm_voicemail')}, "
        f"u.{col(User, 'id')}, u.{col(User, 'dnd')}, u.{col(User, 'forward_all')}, "
        f"u.{col(User, 'availability_until')}, {has_away}, "
        f"r.{col(Ring, 'number')}, r.{col(Ring, 'expiration')}, r.{col(Ring, 'type')} {joined} "
        f"LEFT JOIN {rings} r ON r.{col(Ring, 'user')} = u.{col(User, 'id')} AND r.{col(Ring, 'enabled')} "
        f"WHERE {holding} = %s ORDER BY r.{col(Ring, 'position')}, r.{col(Ring, 'id')}"
    )
    holders = f"SELECT n.{col(LoginName, 'folded')}, u.{col(User, 'username')} {joined} WHERE {holding} IN ({{}})"
    periods = "SELECT {} FROM {} WHERE {} = %s".format(
        ", ".join(col(AwayPeriod, name) for name in _PERIOD_COLUMNS), away, col(AwayPeriod, "user")
    )
    return callee, holders, periods


_PERIOD_COLUMNS = ("start", "end", "time_zone", "weekly", "repeat_until", "forward_to", "greeting")


def _aware(value) -> datetime | None:
    """A timestamp as a raw cursor gives it (PostgreSQL: aware; SQLite: naive UTC or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _day(value) -> date | None:
    return parse_date(value) if isinstance(value, str) else value


def _periods(cursor, sql: str, user_id: int) -> list[SimpleNamespace]:
    cursor.execute(sql, [user_id])
    rows = []
    for start, end, zone, weekly, until, forward_to, greeting in cursor.fetchall():
        rows.append(
            SimpleNamespace(
                start=_aware(start),
                end=_aware(end),
                time_zone=zone,
                weekly=bool(weekly),
                repeat_until=_day(until),
                forward_to=forward_to,
                greeting=greeting,
            )
        )
    return rows


def _is_name(number: str) -> bool:
    # A SIP URI is called as it is; a NUL is in nobody's name (and PostgreSQL refuses it in a parameter).
    return not _is_uri(number) and "\0" not in number


def _callee(dialled: str, now: datetime) -> _Callee | None:
    """The enabled user whose user name or alias `dialled` is (any case), with the ring list and the availability
    switches: one query; one more for the user's away periods when they have some; one more for the users the
    rings (or the forward-all number) name, however long the list."""
    callee_sql, holders_sql, periods_sql = _sql()
    im = LoginName.Kind.IM.value
    with connection.cursor() as cursor:
        cursor.execute(callee_sql, [im, dialled.lower()])
        rows = cursor.fetchall()
        if not rows:
            return None
        username, timer, voicemail, user_id, dnd, forward_all, until, has_away = rows[0][:8]
        periods = _periods(cursor, periods_sql, user_id) if has_away else []
        state = availability.state(bool(dnd), forward_all, _aware(until), periods, now)
        if state.forward_to is not None or state.voicemail_only:
            rings = []  # the phones and the ring list do not ring
            wanted = [state.forward_to] if state.forward_to is not None else []
        else:
            rings = [(number, seconds, kind) for *_, number, seconds, kind in rows if number is not None]
            wanted = [number for number, _, _ in rings]
        names = sorted({number.lower() for number in wanted if _is_name(number)})
        holders = {}
        if names:
            cursor.execute(holders_sql.format(", ".join(["%s"] * len(names))), [im, *names])
            holders = dict(cursor.fetchall())
    listed = [(number, seconds, kind, holders.get(number.lower())) for number, seconds, kind in rings]
    forward_user = holders.get(state.forward_to.lower()) if state.forward_to is not None else None
    return _Callee(username, timer, bool(voicemail), listed, state, forward_user)


def route_for(dialled: str, now: datetime | None = None) -> Route:
    """The route of a call to `dialled` (a user part, as dialled) at `now` (the call's instant; by default now);
    UnknownNumber / BadRequest otherwise. A user's route costs at most two queries whatever its ring list, three
    when the user has away periods (tests/sipproxy/test_route_api.py)."""
    if not isinstance(dialled, str) or not _NUMBER.fullmatch(dialled):
        raise BadRequest(gettext_noop("'to' must be the dialled number: 1 to 64 characters of a SIP user part."))
    now = now or timezone.now()
    callee = _callee(dialled, now)
    if callee is None:
        held = dialplan.owners([dialled]).get(dialled.lower(), [])
        others = [owner for owner in held if owner.app != "users"]
        if others:
            return _media_route(dialled, others[0], now)
        raise UnknownNumber(gettext_noop("Nobody and nothing has the number %(dialled)s."), dialled=dialled)
    username = callee.username
    state = callee.state
    voicemail = ""
    if callee.voicemail and settings.SIPX_VOICEMAIL_URI:
        voicemail = settings.SIPX_VOICEMAIL_URI.format(user=username)
    away_until = state.away.end if state.reason == availability.AWAY and state.away is not None else None
    extra = {"reason": state.reason, "away_until": away_until, "greeting": state.greeting}
    if state.voicemail_only:
        return Route(kind="user", user=username, groups=[], voicemail=voicemail, **extra)
    if state.forward_to is not None:
        target = Group(timer=callee.forward_timer)
        if callee.forward_user is not None:
            target.users.append(callee.forward_user)
        else:
            target.uris.append(_uri_for(state.forward_to))
        return Route(kind="user", user=username, groups=[target], voicemail=voicemail, **extra)
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
    return Route(kind="user", user=username, groups=groups, voicemail=voicemail, **extra)


def _media_route(dialled: str, owner: dialplan.Owner, now: datetime) -> Route:
    """The media server's route for a number another app holds: SIPX_MEDIA_URI with {number} (as that app stores
    it), {app} (the app's label: sipproxy for the dial plan's service numbers), {service} and {target}, each
    escaped for a SIP URI."""
    if not settings.SIPX_MEDIA_URI:
        raise UnknownNumber(
            gettext_noop("%(dialled)s is %(what)s, but no media server is configured (SIPX_MEDIA_URI)."),
            dialled=dialled,
            what=owner.what,
        )
    route = Route(kind="media")
    if owner.app == "sipproxy":  # apps/sipproxy/dialplan.py: the owner's name is the service
        route.service = owner.name
        if owner.name == ServiceNumber.Service.ATTENDANT:
            playing = import_string(settings.DIALPLAN_ATTENDANT)(now)  # at the call's instant
            if playing is None:
                raise UnknownNumber(
                    gettext_noop("%(dialled)s is %(what)s, but no auto-attendant plays now."),
                    dialled=dialled,
                    what=owner.what,
                )
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
    answer["reason"] = route.reason
    return answer
