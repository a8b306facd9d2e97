"""Checking a login name and portal PIN, the one place that does it (HTML login, Basic, call controller).

Password hashing is deliberately slow, so a successful check is remembered per process under an HMAC of
(user id, PIN, stored hash). The stored hash is part of the key, so a changed PIN can never match an old
entry, on any worker: the memo is a pure speed-up, never shared state (ARCHITECTURE: shared state lives
in the cache framework; this is not state, it is a memo of a pure function)."""

import functools
import hashlib
import hmac
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db import connection

from apps.users.models import LoginName, User

_VERIFIED: set[bytes] = set()
_VERIFIED_MAX = 20_000


def _memo_key(user: User, pin: str) -> bytes:
    msg = f"{user.pk}\0{pin}\0{user.password}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), msg, hashlib.sha256).digest()


class Login(NamedTuple):
    """A login name found for a name that someone typed: the user it logs in, the name as stored, its kind,
    and the Digest HA1 of (name, realm, PIN)."""

    user: User
    name: str
    kind: str
    digest_ha1: str


@functools.cache
def _login_query() -> tuple[str, list[str], list[tuple[int, list, object]]]:
    """SQL of the login lookup, built once, and the converters of the user's columns that need one (the
    datetimes: SQLite returns them naive). Every authenticated request runs it: through the ORM it cost
    ~2.2 ms (mostly building the query), as plain SQL ~0.3 ms (bench/auth.py)."""
    qn = connection.ops.quote_name
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{qn(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns}, n.{qn('name')}, n.{qn('kind')}, n.{qn('digest_ha1')} "
        f"FROM {qn(LoginName._meta.db_table)} n JOIN {qn(User._meta.db_table)} u ON u.{qn('id')} = n.{qn('user_id')} "
        f"WHERE n.{qn('folded')} = %s AND u.{qn('is_active')}"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(User._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return sql, [f.attname for f in fields], converters


def find_login(name: str) -> Login | None:
    """The login for `name` (user name or alias first, then an enabled IM id), with its user."""
    if not name or "\0" in name:  # PostgreSQL refuses NUL in a string: such a name belongs to nobody
        return None
    sql, attnames, converters = _login_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [name.lower()])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row[: len(attnames)])
        for index, functions, column in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        user = User.from_db(connection.alias, attnames, values)
        login, kind, ha1 = row[len(attnames) :]
        if kind != LoginName.Kind.IM or user.im_enabled:
            found.append(Login(user, login, kind, ha1))
    found.sort(key=lambda r: r.kind == LoginName.Kind.IM)
    return found[0] if found else None


def strip_domain(name: str) -> tuple[str, str | None]:
    """`user@domain` and `DOMAIN\\user` forms (B.1.2): returns (user part, domain part or None)."""
    if "\\" in name:
        domain, _, user = name.partition("\\")
        return user, domain
    if "@" in name:
        user, _, domain = name.rpartition("@")
        return user, domain
    return name, None


def _dummy_hash() -> str:
    """A hash of a random PIN made by the default hasher, checked when there is no real hash to check, so an
    unknown name (or a foreign domain, or a user without a PIN) costs the time of a wrong PIN."""
    return _dummy_hash_for(get_hasher("default").algorithm)


@functools.cache
def _dummy_hash_for(algorithm: str) -> str:
    import secrets

    return make_password(secrets.token_hex(16), hasher=get_hasher(algorithm))


def remembered(user: User, pin: str) -> bool:
    """True when this process has already verified this PIN against the user's current hash (no hashing)."""
    return _memo_key(user, pin) in _VERIFIED


def check_pin(user: User | None, pin: str) -> bool:
    """Whether `pin` is the portal PIN of `user`. With no user (or no usable PIN) a dummy hash is checked
    instead, so the answer takes as long as for a wrong PIN and does not tell whether the user exists."""
    if user is not None and remembered(user, pin):
        return True
    if user is None or not user.has_usable_password():
        check_password(pin, _dummy_hash())
        return False
    if not check_password(pin, user.password):
        return False
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED.add(_memo_key(user, pin))
    return True


def resolve(name: str) -> tuple[Login | None, str, bool]:
    """(the login `name` names or None, its bare name, whether its domain part is ours or absent)."""
    bare, domain = strip_domain(name)
    domain_ok = domain is None or domain.lower() in {settings.SIPX_DOMAIN.lower(), settings.SIPX_REALM.lower()}
    return find_login(bare), bare, domain_ok


def account_key(login: Login | None, bare: str) -> str:
    """What the lockout counts an attempt against: the user, whatever name or alias spelled it."""
    from apps.users.lockout import account_of

    return account_of(login.user.pk if login else None, bare)


def check_login_pin(login: Login | None, domain_ok: bool, pin: str | None) -> User | None:
    """The user of `login` when `pin` is its portal PIN; every refusal costs one PIN hash check."""
    user = login.user if login is not None and domain_ok else None
    if pin is None:
        pin = ""
    return user if check_pin(user, pin) and user is not None else None


def authenticate_pin(name: str, pin: str) -> User | None:
    """The user whose login name is `name` (any accepted form) and whose portal PIN is `pin`, else None."""
    login, _, domain_ok = resolve(name)
    return check_login_pin(login, domain_ok, pin)
