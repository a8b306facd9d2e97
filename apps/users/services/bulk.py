"""A whole file of users at once (the PBX data file, the admin JSON API): `save_users` creates or replaces them by
the same rules as save_user, in bulk statements, a fixed number of queries per batch (only clear PINs cost time,
hashed on a thread pool); `delete_all_users` for an import that replaces everything."""

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import batched

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from apps.audit import services as audit
from apps.users.models import LoginName, Ring, User, UserGroup, UserProfile
from apps.users.services.auditing import _audited_before, audit_fields
from apps.users.services.contact import CONTACT_FIELDS, _now_ms, contact_defaults
from apps.users.services.errors import UserError, _at, _first, first_error
from apps.users.services.forwarding import _ring_rows
from apps.users.services.names import _dialplan_clashes, _stored_clashes, _user_named, login_names_of
from apps.users.services.queries import BATCH, _fetch, _update_rows
from apps.users.services.record import USER_FIELDS, UserRecord, check_batch, clean_user
from apps.users.services.secrets import digest_ha1


class Progress:
    """What save_users reports to (the data file's progress bar): stages and steps; silent by default."""

    def stage(self, label: str, total: int) -> None:
        pass

    def step(self, n: int = 1) -> None:
        pass


def _hash_pins(pins: list[str], progress: Progress) -> list[str]:
    """Django hashes of clear PINs, on as many threads as there are CPUs (the hasher releases the GIL): the one
    slow step of a file with clear PINs, slow on purpose."""
    if not pins:
        return []
    progress.stage("hashing PINs", len(pins))
    out = []
    with ThreadPoolExecutor(max_workers=min(len(pins), os.cpu_count() or 1, 8)) as pool:
        for hashed in pool.map(make_password, pins):
            out.append(hashed)
            progress.step()
    return out


PROFILE_FIELDS = [*CONTACT_FIELDS, "timestamp"]


def _check_stored(records: list[UserRecord], existing: dict[str, User], check_dialplan: bool) -> dict[str, UserGroup]:
    """The rules of a batch that ask the database: names and feed keys of users outside the batch, the dial plan,
    the groups named (returned by name). A fixed number of queries (one per CHUNK values)."""
    _first(_stored_clashes([(r.username, r.aliases, r.im_id) for r in records], {u.pk for u in existing.values()}))
    keys = {r.feed_key: i for i, r in enumerate(records) if r.feed_key}
    for key, owner in _fetch(User.objects.values_list("feed_key", "username"), "feed_key__in", keys):
        if owner not in existing:
            raise _at(UserError(f'is already the feed key of user "{owner}".', "feed_key"), keys[key])
    if check_dialplan:
        _first(_dialplan_clashes([(r.username, r.aliases) for r in records]))
    groups = {g.name: g for g in _fetch(UserGroup.objects.all(), "name__in", {g for r in records for g in r.groups})}
    for item, r in enumerate(records):
        for index, group in enumerate(r.groups):
            if group not in groups:
                raise _at(UserError(f'there is no group "{group}".', "groups", index), item)
    return groups


def save_users(
    records: Sequence[UserRecord],
    progress: Progress | None = None,
    check_dialplan: bool = True,
    checked: bool = False,
    pin_policy: bool = True,
) -> list[User]:
    """Creates or replaces the users of `records` (matched by user name) by the rules every other channel
    applies, in the caller's transaction; the first refused record raises its UserError with `item` set, and the
    caller rolls back. Users not in `records` are left alone, but none of their names or feed keys may be taken.
    The writes are bulk statements per batch of rows: a fixed number of queries for any number of users (only
    clear PINs cost time, hashed on a thread pool). `check_dialplan=False` leaves the clash with other apps'
    dialable names to the caller (the data file checks it once every section is loaded, as a conference of the
    same file may move away). `checked=True`: the records are what clean_user and check_batch returned and passed
    just before (the data file runs them while it validates the file, to name the path of the first offending
    key), and are not checked again; `pin_policy` is then the caller's (the data file restores clear PINs without
    the policy, pin_rule). The admin JSON API leaves both at their defaults: its clear PINs pass the policy. Returns
    the users in the order of `records`."""
    progress = progress or Progress()
    cleaned = list(records)
    if not checked:
        for item, record in enumerate(records):
            try:
                cleaned[item] = clean_user(record, pin_policy=pin_policy)
            except ValidationError as exc:
                raise _at(first_error(exc), item) from None
        check_batch(cleaned, lambda i: _user_named(cleaned[i].username))
    existing = {u.username: u for u in _fetch(User.objects.all(), "username__in", [r.username for r in cleaned])}
    groups = _check_stored(cleaned, existing, check_dialplan)
    before = _audited_before(existing.values())
    rows = _write_users(cleaned, existing, progress)
    _write_dependants(cleaned, rows, [r for r in rows if r.username in existing], groups, progress)
    audit.record_many(
        audit.Change("user", row.username, before.get(row.pk), audit_fields(row, r.aliases, r.groups))
        for r, row in zip(cleaned, rows, strict=True)
    )
    return rows


def _write_users(records: list[UserRecord], existing: dict[str, User], progress: Progress) -> list[User]:
    clear = [r.pin for r in records if r.pin is not None]
    clear += [r.voicemail_pin for r in records if r.voicemail_pin is not None]
    hashed = iter(_hash_pins(clear, progress))
    pin_hash = [next(hashed) if r.pin is not None else r.pin_hash for r in records]
    vm_hash = [next(hashed) if r.voicemail_pin is not None else r.voicemail_pin_hash for r in records]
    progress.stage("users", len(records))
    rows, new_rows, old_rows = [], [], []
    for i, r in enumerate(records):
        row = existing.get(r.username)
        (old_rows if row else new_rows).append(row := row or User(username=r.username))
        row.password = pin_hash[i] or make_password(None)  # None -> an unusable password (no hashing)
        row.first_name, row.last_name = r.first_name, r.last_name
        row.is_admin, row.perm_voicemail, row.perm_attendant_admin = (
            r.is_admin,
            r.perm_voicemail,
            r.perm_attendant_admin,
        )
        row.voicemail_pin_hash = vm_hash[i] or ""
        row.sip_password = r.sip_password
        row.im_id, row.im_enabled, row.im_display_name = r.im_id, r.im_enabled, r.im_display_name
        row.feed_key = r.feed_key or row.feed_key  # a new User() already has a fresh one
        row.call_forward_timer = r.forward_timer
        row.time_zone, row.dnd, row.forward_all = r.time_zone, r.dnd, r.forward_all
        row.language = r.language
        row.availability_until = r.availability_until
        rows.append(row)
    User.objects.bulk_create(new_rows, batch_size=BATCH)
    _update_rows(User, old_rows, USER_FIELDS)
    if any(r.pk is None for r in new_rows):  # a backend that cannot return ids from a bulk insert
        ids = dict(_fetch(User.objects.values_list("username", "pk"), "username__in", [r.username for r in new_rows]))
        for row in new_rows:
            row.pk = ids[row.username]
    return rows


def _write_dependants(records, rows, old_rows, groups, progress: Progress) -> None:
    """Login names, rings, group memberships and profiles: those of replaced users deleted, all inserted in bulk."""
    old_ids = [r.pk for r in old_rows]
    for chunk in batched(old_ids, BATCH):
        LoginName.objects.filter(user_id__in=chunk).delete()
        Ring.objects.filter(user_id__in=chunk).delete()
        User.groups.through.objects.filter(user_id__in=chunk).delete()
    profiles = {p.user_id: p for p in _fetch(UserProfile.objects.all(), "user_id__in", old_ids)}
    now = _now_ms()
    defaults = contact_defaults()
    login_names, rings, memberships, new_profiles, old_profiles = [], [], [], [], []
    for r, row in zip(records, rows, strict=True):
        ha1 = r.digest_ha1 or {}
        for name, kind in login_names_of(r.username, r.aliases, r.im_id, r.im_enabled):
            digest = digest_ha1(name, r.pin) if r.pin is not None else ha1.get(name, "")
            login_names.append(LoginName(user_id=row.pk, name=name, folded=name.lower(), kind=kind, digest_ha1=digest))
        rings += _ring_rows(row.pk, r.rings)
        memberships += [User.groups.through(user_id=row.pk, usergroup_id=groups[g].pk) for g in r.groups]
        profile = profiles.get(row.pk)
        (old_profiles if profile else new_profiles).append(profile := profile or UserProfile(user_id=row.pk))
        for name, value in {**defaults, **r.contact}.items():
            setattr(profile, name, value)
        profile.timestamp = now
        progress.step()
    LoginName.objects.bulk_create(login_names, batch_size=BATCH)
    Ring.objects.bulk_create(rings, batch_size=BATCH)
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH)
    UserProfile.objects.bulk_create(new_profiles, batch_size=BATCH)
    _update_rows(UserProfile, old_profiles, PROFILE_FIELDS)


def delete_all_users() -> None:
    """Every user and what hangs on them (import --replace): children first, as single DELETE statements. The audit
    log gets one deletion per user (their last state, as `delete_user` records it)."""
    before = _audited_before(User.objects.all())
    names = dict(User.objects.values_list("pk", "username"))
    LoginName.objects.all().delete()
    Ring.objects.all().delete()
    UserProfile.objects.all().delete()
    User.groups.through.objects.all().delete()
    User.objects.all().delete()
    audit.record_many(audit.Change("user", names[pk], values, None) for pk, values in before.items())
