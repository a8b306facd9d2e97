"""`users`: the PBX users with their login names, PINs, groups, contact information and call forwarding.

Import semantics: a user of the file is matched by user name and then *replaced* by the file's record
(a key absent from the file means its default, as docs/pbx-data.md says), except `feedKey`, which an existing
user keeps when the file has none (regenerating it would break the user's private URLs). Users not in
the file are left alone (or deleted first with --replace).

Speed: everything is written with bulk queries per batch of rows, so the number of queries does not grow
with the number of users. Only clear PINs cost time (Django's hasher is slow on purpose); they are hashed
on a thread pool (hashlib releases the GIL). `pinHash` + `digestHa1` are stored as given."""

import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import connection

from apps.pbxdata.schema import (
    REQUIRED,
    PbxDataError,
    boolean,
    check_keys,
    choice,
    integer,
    list_of,
    obj,
    show,
    text,
)
from apps.pbxdata.sections import phonebooks, voicemail
from apps.users.models import AddressBookFields, LoginName, Ring, User, UserGroup, UserProfile
from apps.users.services import (
    FORWARD_TIMER_RANGE,
    RING_EXPIRATION_RANGE,
    digest_ha1,
    ring_count_problem,
    validate_voicemail_pin,
)

BATCH = 500  # rows per bulk query; also keeps `IN (...)` lists far below SQLite's parameter limit

PERMISSIONS = ("voicemail", "attendant-admin")
DEFAULT_PERMISSIONS = ["voicemail"]  # the model's defaults; export always writes `permissions`
DEFAULT_TIMER = User._meta.get_field("call_forward_timer").default

# Contact information: wire name (sipXconfig 4.6, docs/compatibility.md B.3.9) -> UserProfile field, in wire order.
CONTACT_TEXT = "text"
CONTACT_ADDRESS = "address"
CONTACT_FIELDS = [
    ("jobTitle", "job_title", CONTACT_TEXT),
    ("jobDept", "job_dept", CONTACT_TEXT),
    ("companyName", "company_name", CONTACT_TEXT),
    ("assistantName", "assistant_name", CONTACT_TEXT),
    ("location", "location", CONTACT_TEXT),
    ("homeAddress", "home_address", CONTACT_ADDRESS),
    ("officeAddress", "office_address", CONTACT_ADDRESS),
    ("branchAddress", "branch_address", CONTACT_ADDRESS),
    ("cellPhoneNumber", "cell_phone_number", CONTACT_TEXT),
    ("homePhoneNumber", "home_phone_number", CONTACT_TEXT),
    ("assistantPhoneNumber", "assistant_phone_number", CONTACT_TEXT),
    ("faxNumber", "fax_number", CONTACT_TEXT),
    ("didNumber", "did_number", CONTACT_TEXT),
    ("alternateImId", "alternate_im_id", CONTACT_TEXT),
    ("emailAddress", "email_address", CONTACT_TEXT),
    ("alternateEmailAddress", "alternate_email_address", CONTACT_TEXT),
    ("useBranchAddress", "use_branch_address", "bool"),
    ("branchName", "branch_name", CONTACT_TEXT),
    ("manager", "manager", CONTACT_TEXT),
    ("salutation", "salutation", "salutation"),
    ("employeeId", "employee_id", CONTACT_TEXT),
    ("twiterName", "twiter_name", CONTACT_TEXT),
    ("linkedinName", "linkedin_name", CONTACT_TEXT),
    ("facebookName", "facebook_name", CONTACT_TEXT),
    ("xingName", "xing_name", CONTACT_TEXT),
]
DEFAULT_SALUTATION = UserProfile.Salutation.NONE.value


# ---- validation ------------------------------------------------------------------------------------


def login_name(value, path):
    text(blank=False)(value, path)
    if any(c.isspace() for c in value) or "@" in value:
        raise PbxDataError(path, f"{show(value)} may not contain spaces or '@'")
    return value


def password_hash(value, path):
    text(blank=False)(value, path)
    try:
        identify_hasher(value)
    except ValueError:
        raise PbxDataError(path, "is not a PIN hash this server understands (check PASSWORD_HASHERS)") from None
    return value


def ha1_map(value, path):
    if not isinstance(value, dict):
        raise PbxDataError(path, "expected an object of login name -> HA1")
    check_keys(value, path, value.keys())  # only catches keys given twice
    ha1 = text(pattern="[0-9a-f]{32}")
    return {name: ha1(v, f"{path}.{name}") for name, v in value.items()}


def address(value, path):
    check_keys(value, path, AddressBookFields.ADDRESS_KEYS)
    field = text(nullable=True)
    cleaned = {key: field(value[key], f"{path}.{key}") for key in AddressBookFields.ADDRESS_KEYS if key in value}
    return {k: v for k, v in cleaned.items() if v is not None}  # null = not set, as sipXconfig wrote it


def _contact_checker(kind):
    if kind == CONTACT_ADDRESS:
        return address, dict
    if kind == "bool":
        return boolean, False
    if kind == "salutation":
        return choice(UserProfile.Salutation.values), DEFAULT_SALUTATION
    return text(nullable=True), None


_contact = obj({wire: _contact_checker(kind) for wire, _, kind in CONTACT_FIELDS})

_ring = obj(
    {
        "number": (text(blank=False), REQUIRED),
        "expiration": (integer(*RING_EXPIRATION_RANGE), Ring._meta.get_field("expiration").default),
        "type": (choice(Ring.Type.values), Ring.Type.DELAYED.value),
        "enabled": (boolean, Ring._meta.get_field("enabled").default),
    }
)
_forwarding = obj({"expiration": (integer(*FORWARD_TIMER_RANGE), DEFAULT_TIMER), "rings": (list_of(_ring), list)})

_user = obj(
    {
        "userName": (login_name, REQUIRED),
        "aliases": (list_of(login_name, unique=str.lower, what="alias"), list),
        "firstName": (text(), ""),
        "lastName": (text(), ""),
        "pin": (text(blank=False), None),
        "pinHash": (password_hash, None),
        "digestHa1": (ha1_map, None),
        "voicemailPin": (text(blank=False), None),
        "voicemailPinHash": (password_hash, None),
        "sipPassword": (text(), ""),
        "imId": (text(), ""),
        "imEnabled": (boolean, False),
        "imDisplayName": (text(nullable=True), None),
        "admin": (boolean, False),
        "permissions": (list_of(choice(PERMISSIONS), unique=str, what="permission"), lambda: list(DEFAULT_PERMISSIONS)),
        "groups": (list_of(text(blank=False), unique=str, what="group"), list),
        "feedKey": (text(pattern="[0-9a-f]{32}"), None),
        "contactInformation": (_contact, None),
        "callForwarding": (_forwarding, None),
        "activeGreeting": (voicemail.validate_greeting, None),
        "privatePhonebook": (phonebooks.validate_private, None),
    }
)


def validate_user(value, path):
    u = _user(value, path)
    # The users service's bound on a stored ring list (the same rule and sentence as REST and the portal).
    too_many = ring_count_problem(len((u["callForwarding"] or {}).get("rings", [])))
    if too_many:
        raise PbxDataError(f"{path}.callForwarding.rings", too_many)
    if u["pin"] is not None and u["pinHash"] is not None:
        raise PbxDataError(f"{path}.pinHash", "give either pin (clear) or pinHash, not both")
    if u["digestHa1"] is not None:
        if u["pin"] is not None:
            raise PbxDataError(f"{path}.digestHa1", "is computed from pin; give it only with pinHash")
        names = {u["userName"], *u["aliases"], u["imId"]}
        for name in u["digestHa1"]:
            if name not in names:
                raise PbxDataError(f"{path}.digestHa1.{name}", f"{show(name)} is not a login name of this user")
    if u["voicemailPin"] is not None:
        if u["voicemailPinHash"] is not None:
            raise PbxDataError(f"{path}.voicemailPinHash", "give either voicemailPin (clear) or voicemailPinHash")
        try:
            validate_voicemail_pin(SimpleNamespace(username=u["userName"], aliases=u["aliases"]), u["voicemailPin"])
        except ValidationError as exc:
            raise PbxDataError(f"{path}.voicemailPin", " ".join(exc.messages)) from None
    return u


def validate(value, path):
    users = list_of(validate_user)(value, path)
    owners: dict[str, str] = {}  # folded login name -> "users[i]"
    feed_keys: dict[str, str] = {}
    for i, u in enumerate(users):
        here = f"{path}[{i}]"
        named = [(f"{here}.userName", u["userName"])]
        named += [(f"{here}.aliases[{j}]", alias) for j, alias in enumerate(u["aliases"])]
        for where, name in named:
            folded = name.lower()
            if folded in owners and owners[folded] != here:
                raise PbxDataError(where, f"{show(name)} is already the user name or an alias of {owners[folded]}")
            if folded in owners:  # the user name repeated as its own alias
                raise PbxDataError(where, f"{show(name)} is listed twice for this user (names ignore case)")
            owners[folded] = here
        if u["feedKey"] is not None:
            if u["feedKey"] in feed_keys:
                raise PbxDataError(f"{here}.feedKey", f"is already the feed key of {feed_keys[u['feedKey']]}")
            feed_keys[u["feedKey"]] = here
    return users


# ---- import ----------------------------------------------------------------------------------------


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch(queryset, lookup: str, values: Iterable) -> list:
    """queryset.filter(lookup=chunk) for each chunk of values, concatenated."""
    values = list(values)
    return [row for chunk in chunks(values) for row in queryset.filter(**{lookup: chunk})]


def update_rows(model, rows: list, fields: list[str]) -> None:
    """UPDATE each row's `fields` by primary key with one executemany per batch. Django's bulk_update builds
    a CASE expression per field whose cost grows with rows x fields (a minute for 2,000 users)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in columns), qn(meta.pk.column)
    )
    with connection.cursor() as cursor:
        for chunk in chunks(rows):
            params = [
                [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk] for row in chunk
            ]
            cursor.executemany(sql, params)


def hash_pins(pins: list[str], ctx) -> list[str]:
    """Django hashes of clear PINs, on as many threads as there are CPUs (the hasher releases the GIL)."""
    if not pins:
        return []
    ctx.stage("hashing PINs", len(pins))
    workers = min(len(pins), os.cpu_count() or 1, 8)
    out = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for hashed in pool.map(make_password, pins):
            out.append(hashed)
            ctx.step()
    return out


def check_conflicts(users: list[dict], ctx) -> None:
    """Merge mode: a name or feed key of the file may not belong to a user who is not in the file."""
    in_file = {u["userName"] for u in users}
    where: dict[str, tuple[str, str]] = {}
    for i, u in enumerate(users):
        where[u["userName"].lower()] = (f"users[{i}].userName", u["userName"])
        for j, alias in enumerate(u["aliases"]):
            where[alias.lower()] = (f"users[{i}].aliases[{j}]", alias)
    rows = fetch(
        LoginName.objects.exclude(kind=LoginName.Kind.IM).values_list("folded", "user__username"), "folded__in", where
    )
    for folded, owner in sorted(rows, key=lambda r: where[r[0]][0]):
        if owner not in in_file:
            path, name = where[folded]
            raise PbxDataError(path, f'{show(name)} is already the user name or an alias of user "{owner}"')
    keys = {u["feedKey"]: i for i, u in enumerate(users) if u["feedKey"]}
    for key, owner in fetch(User.objects.values_list("feed_key", "username"), "feed_key__in", keys):
        if owner not in in_file:
            raise PbxDataError(f"users[{keys[key]}].feedKey", f'is already the feed key of user "{owner}"')


USER_FIELDS = [
    "password",
    "first_name",
    "last_name",
    "is_admin",
    "perm_voicemail",
    "perm_attendant_admin",
    "voicemail_pin_hash",
    "sip_password",
    "im_id",
    "im_enabled",
    "im_display_name",
    "feed_key",
    "call_forward_timer",
]
PROFILE_FIELDS = [field for _, field, _ in CONTACT_FIELDS] + ["timestamp"]


def clear():
    # Children first with single DELETE statements; then the users (cascades to whatever later apps add).
    LoginName.objects.all().delete()
    Ring.objects.all().delete()
    UserProfile.objects.all().delete()
    User.groups.through.objects.all().delete()
    User.objects.all().delete()


def load(users: list[dict], ctx) -> None:
    """Creates or updates the file's users; `ctx.users` then maps their user names to their rows."""
    names = [u["userName"] for u in users]
    existing = {} if ctx.replace else {r.username: r for r in fetch(User.objects.all(), "username__in", names)}
    if not ctx.replace:
        check_conflicts(users, ctx)

    # Clear PINs -> hashes (the only slow step), in one pass so the pool stays busy.
    clear_pins = [u["pin"] for u in users if u["pin"] is not None]
    clear_pins += [u["voicemailPin"] for u in users if u["voicemailPin"] is not None]
    hashed = iter(hash_pins(clear_pins, ctx))
    pin_hash = [next(hashed) if u["pin"] is not None else u["pinHash"] for u in users]
    vm_hash = [next(hashed) if u["voicemailPin"] is not None else u["voicemailPinHash"] for u in users]

    ctx.stage("users", len(users))
    rows, new_rows, old_rows = [], [], []
    for i, u in enumerate(users):
        row = existing.get(u["userName"])
        (old_rows if row else new_rows).append(row := row or User(username=u["userName"]))
        row.password = pin_hash[i] or make_password(None)  # None -> an unusable password (no hashing)
        row.first_name, row.last_name = u["firstName"], u["lastName"]
        row.is_admin = u["admin"]
        row.perm_voicemail = "voicemail" in u["permissions"]
        row.perm_attendant_admin = "attendant-admin" in u["permissions"]
        row.voicemail_pin_hash = vm_hash[i] or ""
        row.sip_password = u["sipPassword"]
        row.im_id, row.im_enabled, row.im_display_name = u["imId"], u["imEnabled"], u["imDisplayName"]
        row.feed_key = u["feedKey"] or row.feed_key  # a new User() already has a fresh one
        row.call_forward_timer = (u["callForwarding"] or {}).get("expiration", DEFAULT_TIMER)
        rows.append(row)

    User.objects.bulk_create(new_rows, batch_size=BATCH)
    update_rows(User, old_rows, USER_FIELDS)
    if any(r.pk is None for r in new_rows):  # a backend that cannot return ids from a bulk insert
        ids = dict(fetch(User.objects.values_list("username", "pk"), "username__in", names))
        for r in new_rows:
            r.pk = ids[r.username]

    # Dependent rows: delete those of updated users, then insert everything in bulk.
    old_ids = [r.pk for r in old_rows]
    profiles = {}
    if old_ids:
        for chunk in chunks(old_ids):
            LoginName.objects.filter(user_id__in=chunk).delete()
            Ring.objects.filter(user_id__in=chunk).delete()
            User.groups.through.objects.filter(user_id__in=chunk).delete()
        profiles = {p.user_id: p for p in fetch(UserProfile.objects.all(), "user_id__in", old_ids)}

    if ctx.groups is None:  # the file has no "groups" section: users may name the groups already here
        ctx.groups = {g.name: g for g in UserGroup.objects.all()}
    now = int(time.time() * 1000)
    login_names, rings, memberships, new_profiles, old_profiles = [], [], [], [], []
    for i, (u, row) in enumerate(zip(users, rows, strict=True)):
        wanted = [(row.username, LoginName.Kind.USERNAME)] + [(a, LoginName.Kind.ALIAS) for a in u["aliases"]]
        if row.im_id and row.im_enabled:
            wanted.append((row.im_id, LoginName.Kind.IM))
        ha1 = u["digestHa1"] or {}
        for name, kind in wanted:
            digest = digest_ha1(name, u["pin"]) if u["pin"] is not None else ha1.get(name, "")
            login_names.append(LoginName(user_id=row.pk, name=name, folded=name.lower(), kind=kind, digest_ha1=digest))
        for position, ring in enumerate((u["callForwarding"] or {}).get("rings", [])):
            rings.append(Ring(user_id=row.pk, position=position, **ring))
        for j, group in enumerate(u["groups"]):
            if group not in ctx.groups:
                raise PbxDataError(f"users[{i}].groups[{j}]", f'there is no group "{group}" (add it to "groups")')
            memberships.append(User.groups.through(user_id=row.pk, usergroup_id=ctx.groups[group].pk))
        profile = profiles.get(row.pk)
        (old_profiles if profile else new_profiles).append(profile := profile or UserProfile(user_id=row.pk))
        contact = u["contactInformation"] or _contact({}, "")
        for wire, field, _ in CONTACT_FIELDS:
            setattr(profile, field, contact[wire])
        profile.timestamp = now
        ctx.step()

    LoginName.objects.bulk_create(login_names, batch_size=BATCH)
    Ring.objects.bulk_create(rings, batch_size=BATCH)
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
    UserProfile.objects.bulk_create(new_profiles, batch_size=BATCH)
    update_rows(UserProfile, old_profiles, PROFILE_FIELDS)
    ctx.users = {r.username: r for r in rows}
    voicemail.load_greetings(users, ctx)
    phonebooks.load_private(users, ctx)


# ---- export ----------------------------------------------------------------------------------------


def dump_contact(profile: UserProfile | None) -> dict:
    out = {}
    if profile is None:
        return out
    for wire, field, kind in CONTACT_FIELDS:
        value = getattr(profile, field)
        if kind == CONTACT_ADDRESS:
            value = {k: value[k] for k in AddressBookFields.ADDRESS_KEYS if value and value.get(k) is not None}
            if value:
                out[wire] = value
        elif kind == "bool":
            if value:
                out[wire] = True
        elif kind == "salutation":
            if value != DEFAULT_SALUTATION:
                out[wire] = value
        elif value is not None:
            out[wire] = value
    return out


def dump_user(user: User) -> dict:
    """One user; keys at their default are left out, except `permissions` (its default is not empty)."""
    aliases = user.aliases
    out: dict = {"userName": user.username}
    if aliases:
        out["aliases"] = aliases
    if user.first_name:
        out["firstName"] = user.first_name
    if user.last_name:
        out["lastName"] = user.last_name
    if user.has_usable_password():
        out["pinHash"] = user.password
    ha1: dict[str, str] = {}
    order = {LoginName.Kind.USERNAME: 0, LoginName.Kind.ALIAS: 1, LoginName.Kind.IM: 2}
    for login in sorted(user.login_names.all(), key=lambda n: (order[n.kind], n.pk)):
        if login.digest_ha1 and not ha1.get(login.name):
            ha1[login.name] = login.digest_ha1
    if ha1:
        out["digestHa1"] = ha1
    if user.voicemail_pin_hash:
        out["voicemailPinHash"] = user.voicemail_pin_hash
    if user.sip_password:
        out["sipPassword"] = user.sip_password
    if user.im_id:
        out["imId"] = user.im_id
    if user.im_enabled:
        out["imEnabled"] = True
    if user.im_display_name is not None:
        out["imDisplayName"] = user.im_display_name
    if user.is_admin:
        out["admin"] = True
    out["permissions"] = user.permission_names
    groups = sorted(g.name for g in user.groups.all())
    if groups:
        out["groups"] = groups
    out["feedKey"] = user.feed_key
    contact = dump_contact(getattr(user, "profile", None))
    if contact:
        out["contactInformation"] = contact
    rings = [
        {"number": r.number, "expiration": r.expiration, "type": r.type, "enabled": r.enabled}
        for r in sorted(user.rings.all(), key=lambda r: (r.position, r.pk))
    ]
    if rings or user.call_forward_timer != DEFAULT_TIMER:
        out["callForwarding"] = {"expiration": user.call_forward_timer, "rings": rings}
    return out


def dump():
    users = User.objects.order_by("username").select_related("profile")
    users = users.prefetch_related("login_names", "groups", "rings")
    private = phonebooks.dump_private()
    greetings = voicemail.dump_greetings()
    out = []
    for u in users:
        item = dump_user(u)
        if u.pk in greetings:
            item["activeGreeting"] = greetings[u.pk]
        if u.pk in private:
            item["privatePhonebook"] = private[u.pk]
        out.append(item)
    return out
