"""Phonebook writes shared by the REST views, the HTML pages, the import command and the PBX data file: shared
phonebooks with their groups (`save_phonebook` for the pages, `upsert_phonebooks` for the data file), entries created
in bulk with their search words and checked by `entry_problem`, private entries under the owner's lock with the
duplicate check (docs/compatibility.md D2), file imports that replace a phonebook's entries, private phonebooks and
their show-on-phone switch. What a user sees (the merged view, search, paging, the shared phonebook listing) is read in
SQL by readmodel.py.

Every write is recorded in the audit log (apps.audit) here, whichever channel calls. A phonebook, a private phonebook
and an entry written one at a time (or a client's short list of entries) get an entry each with their fields; a
file import, the data file and POST /my/phonebook record one entry per phonebook with its number of entries before
and after: a file holds up to 200,000 rows, which would double the import's writes and bury the log, and the file
itself is the record of what it held."""

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.phonebooks.models import (
    EntryWord,
    Phonebook,
    PhonebookEntry,
    PhonebookSettings,
    PrivatePhonebook,
    make_sort_key,
)
from apps.phonebooks.readmodel import seen_keys, sees_key, tables
from apps.users import addressbook
from apps.users.models import User, UserGroup
from sipxweb.text import is_blank, text_problem_sentence

WORD_BATCH = 2000
BATCH = 500  # rows per bulk query of phonebooks and private phonebooks (and per `IN (...)` list)

NAMES = ("first_name", "last_name", "number")
# Model fields an entry takes from a client or a file: the names, the number, the internal id and the address-book
# fields of B.5.2 (apps.users.addressbook).
ENTRY_FIELDS = (*NAMES, "internal_id", *(f.model for f in addressbook.ENTRY_FIELDS))
ADDRESSES = tuple(f.model for f in addressbook.ENTRY_FIELDS if f.kind == addressbook.ADDRESS)
MAX_LEN = PhonebookEntry._meta.get_field("number").max_length  # every text field of an entry has this length


# The audit log's kinds; the keys are a phonebook's name, "<phonebook>/<entry id>" (as the admin JSON API's
# /phonebooks/{name}/entries/{id}), the owner's user name, "<user name>/<entry id>".
PHONEBOOK, ENTRY = "phonebook", "phonebook entry"
PRIVATE, PRIVATE_ENTRY = "private phonebook", "private phonebook entry"
SETTINGS = "phonebook settings"


class DuplicateEntry(Exception):
    """The user already sees an entry with the same first name, last name and number (D2: 409)."""


class EntryGone(Http404):
    """The private entry being edited was deleted meanwhile (a 404 for REST and pages alike)."""


class PhonebookError(ValidationError):
    """A refused phonebook or entry. `field`: the PhonebookData field or, with `entry` set, the entry's field (an
    ENTRY_FIELDS name); `index`: which of `members`/`consumers`; `item`: which phonebook (or private phonebook) of a
    batch; `entry`: which of its entries. The data file names the path of the refused value from these."""

    def __init__(self, message: str, field: str, *, index: int | None = None, entry: int | None = None):
        super().__init__(message)
        self.field, self.index, self.entry, self.item = field, index, entry, None


# ---- the entry rules -----------------------------------------------------------------------------------


def entry_problem(data: Mapping, shared: bool) -> tuple[str, str] | None:
    """Why an entry (a dict of ENTRY_FIELDS) cannot be stored, as (field, the end of a sentence), or None.

    A shared phonebook's entry needs a number (it is what phones dial); a private phonebook takes what its owner
    sends (B.3.5 appends without checks; the single-entry URI and page check more, before calling the services).
    No text may be longer than the columns."""
    if shared and is_blank(data.get("number")):
        return "number", _("it has no phone number")
    for key, value in data.items():
        values = value.values() if isinstance(value, dict) else [value]
        if any(isinstance(v, str) and len(v) > MAX_LEN for v in values):
            return key, _("%(field)s is longer than %(max)s characters") % {
                "field": key.replace("_", " "),
                "max": MAX_LEN,
            }
    return None


def _checked(datas: Iterable[Mapping], shared: bool) -> Iterable[Mapping]:
    for index, data in enumerate(datas):
        problem = entry_problem(data, shared)
        if problem:
            raise PhonebookError(problem[1], problem[0], entry=index)
        yield data


# ---- what the audit log compares ---------------------------------------------------------------------------


def entry_fields(entry: PhonebookEntry) -> dict:
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


def entry_key(owner: str, entry: PhonebookEntry) -> str:
    return f"{owner}/{entry.pk}"


def _phonebook_fields(book: Phonebook, members, consumers, entries: int) -> dict:
    return {
        "name": book.name,
        "description": book.description,
        "members": sorted(g.name for g in members),
        "consumers": sorted(g.name for g in consumers),
        "entries": entries,
    }


def _stored_phonebooks(pks: Iterable[int] | None) -> dict[int, dict]:
    """The audit fields of stored phonebooks (None: all of them), by id (three queries)."""
    books = Phonebook.objects.all() if pks is None else Phonebook.objects.filter(pk__in=list(pks))
    books = books.prefetch_related("members", "consumers").annotate(entry_count=Count("entries"))
    return {b.pk: _phonebook_fields(b, b.members.all(), b.consumers.all(), b.entry_count) for b in books}


def _private_fields(book: PrivatePhonebook, entries: int) -> dict:
    return {"show_on_phone": book.show_on_phone, "entries": entries}


def _record_count(phonebook: Phonebook | None, private: PrivatePhonebook | None, before: int, after: int) -> None:
    if phonebook is not None:
        audit.record(PHONEBOOK, phonebook.name, {"entries": before}, {"entries": after})
    else:
        audit.record(PRIVATE, private.user.username, {"entries": before}, {"entries": after})


# ---- writing entries -----------------------------------------------------------------------------------


def private_phonebook(user: User, create: bool = False) -> PrivatePhonebook | None:
    if create:
        return PrivatePhonebook.objects.get_or_create(user=user)[0]
    return PrivatePhonebook.objects.filter(user=user).first()


def _new_entry(data: Mapping, **owner) -> PhonebookEntry:
    entry = PhonebookEntry(**owner)
    for name in ENTRY_FIELDS:
        if name in data:
            value = data[name]
            if name in NAMES:
                value = value or ""
            elif name in ADDRESSES:
                value = value or {}
            setattr(entry, name, value)
    entry.sort_key = make_sort_key(entry.number, entry.first_name, entry.last_name)
    return entry


def _write_words(entries: Iterable[PhonebookEntry]) -> None:
    batch = []
    for entry in entries:
        batch += [EntryWord(entry_id=entry.pk, word=w) for w in entry.search_words]
        if len(batch) >= WORD_BATCH:
            EntryWord.objects.bulk_create(batch)
            batch = []
    if batch:
        EntryWord.objects.bulk_create(batch)


def add_entries(datas: Iterable[Mapping], *, phonebook=None, private=None, progress=None, batch: int = 1000) -> int:
    """Creates entries (dicts of ENTRY_FIELDS) in a shared or a private phonebook, in batches; returns how many.
    All or nothing: the first entry `entry_problem` refuses raises PhonebookError and nothing is kept. The audit
    log tells the phonebook's number of entries before and after."""
    with transaction.atomic():
        if phonebook is not None:
            # Two imports into one phonebook at once: the second waits here, so its recount (one statement,
            # its own snapshot) sees the first's rows; unlocked, the later UPDATE stored a stale key_count.
            _lock_phonebook(phonebook)
        before = (phonebook or private).entries.count()
        count = _add_entries(datas, phonebook=phonebook, private=private, progress=progress, batch=batch)
        _record_count(phonebook, private, before, before + count)
    return count


def _add_entries(datas, *, phonebook=None, private=None, progress=None, batch: int = 1000, created=None) -> int:
    """add_entries without the lock (a shared phonebook's writer holds it) and without the audit log; the new rows
    are appended to `created` when given."""
    owner = {"phonebook": phonebook} if phonebook is not None else {"private_phonebook": private}
    count = 0
    pending: list[PhonebookEntry] = []
    stamp = int(time.time() * 1000)

    def flush():
        rows = PhonebookEntry.objects.bulk_create(pending)
        _write_words(rows)
        if created is not None:
            created.extend(rows)
        if progress is not None:
            progress(len(rows))

    with transaction.atomic():
        for data in _checked(datas, shared=phonebook is not None):
            entry = _new_entry(data, **owner)
            entry.timestamp = stamp
            pending.append(entry)
            count += 1
            if len(pending) >= batch:
                flush()
                pending = []
        if pending:
            flush()
        if phonebook is not None:
            _recount(phonebook)
    return count


def _lock_phonebook(phonebook: Phonebook) -> None:
    list(Phonebook.objects.select_for_update().filter(pk=phonebook.pk).values_list("pk", flat=True))


def _recount(phonebook: Phonebook) -> None:
    """Stores the phonebook's number of distinct entry keys (see Phonebook.key_count)."""
    T = tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Phonebook._meta.db_table} SET key_count = (SELECT COUNT(DISTINCT e.sort_key)"
            f" FROM {T['entry']} e WHERE e.phonebook_id = %s) WHERE id = %s",
            [phonebook.pk, phonebook.pk],
        )


def _lock_owner(user: User) -> None:
    """Serialises the writes to one user's private phonebook until the transaction ends.

    The duplicate check (D2) is a read of the whole merged view, then an insert: two identical requests at
    the same moment both passed the read on PostgreSQL and both inserted. A unique constraint cannot express
    the rule (a duplicate of a user or of a shared phonebook's entry counts too, and POST /my/phonebook
    appends without the check), so the check and the insert run under a lock on the owner's user row,
    which always exists (the private phonebook may not yet). In READ COMMITTED every later statement sees
    what the previous holder committed. SQLite ignores FOR UPDATE, but its write transactions are already
    serial (BEGIN IMMEDIATE, settings.py), which takes the write lock before the check."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _key(data: Mapping) -> str:
    return make_sort_key(data.get("number") or "", data.get("first_name") or "", data.get("last_name") or "")


def private_duplicates(user: User, datas: Sequence[Mapping]) -> dict[int, int | None]:
    """D2 for one entry or a file of them: position in `datas` -> None when the user already sees an entry with the
    same first name, last name and number, or the position of the earlier entry of `datas` it repeats. The rule of
    `create_private_entry` and `import_private_entries` (a few queries, however many entries)."""
    keys = [_key(data) for data in datas]
    seen = seen_keys(user, keys)
    duplicates: dict[int, int | None] = {}
    first: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key in seen:
            duplicates[position] = None
        elif key in first:
            duplicates[position] = first[key]
        else:
            first[key] = position
    return duplicates


def create_private_entry(user: User, data: dict) -> PhonebookEntry:
    """B.3.6 create: the user's private phonebook is created on demand; a duplicate raises DuplicateEntry."""
    with transaction.atomic():
        _lock_owner(user)
        if private_duplicates(user, [data]):
            raise DuplicateEntry(_key(data))
        entry = _new_entry(data, private_phonebook=private_phonebook(user, create=True))
        entry.timestamp = int(time.time() * 1000)
        entry.save()
        _write_words([entry])
        audit.record(PRIVATE_ENTRY, entry_key(user.username, entry), None, entry_fields(entry))
    return entry


def import_private_entries(user: User, datas: Sequence[Mapping]) -> tuple[int, dict[int, int | None]]:
    """The portal's import into the user's own private phonebook (created on demand): by the rule of
    `create_private_entry` (`private_duplicates`, under the owner's lock) an entry the user already sees, or one
    that repeats an earlier entry of `datas`, is skipped; the others are added all or nothing by `add_entries`'
    rules. Returns (how many were added, the skipped positions as `private_duplicates` gives them). One audit entry
    for the whole import, with the number of entries before and after (as a shared phonebook's import); none when
    nothing was added."""
    datas = list(datas)
    with transaction.atomic():
        _lock_owner(user)
        skipped = private_duplicates(user, datas)
        kept = [data for position, data in enumerate(datas) if position not in skipped]
        if not kept:
            return 0, skipped
        book = private_phonebook(user, create=True)
        before = book.entries.count()
        count = _add_entries(kept, private=book)
        audit.record(PRIVATE, user.username, {"entries": before}, {"entries": before + count})
    return count, skipped


def update_private_entry(user: User, entry: PhonebookEntry, data: dict) -> PhonebookEntry:
    """B.3.6 PUT: every field is replaced by the body's (absent = cleared); a duplicate of another entry raises."""
    with transaction.atomic():
        _lock_owner(user)
        # Read again under the lock: saving a pk that was deleted meanwhile would insert it again.
        stored = PhonebookEntry.objects.filter(pk=entry.pk, private_phonebook__user=user).first()
        if stored is None:
            raise EntryGone(_("There is no entry %(id)s in your private phonebook any more.") % {"id": entry.pk})
        key = _key(data)
        if sees_key(user, key, exclude_entry=entry.pk):
            raise DuplicateEntry(key)
        fresh = _new_entry({name: data.get(name) for name in ENTRY_FIELDS}, private_phonebook=entry.private_phonebook)
        fresh.pk = entry.pk
        fresh.timestamp = int(time.time() * 1000)
        fresh.save(force_update=True)
        EntryWord.objects.filter(entry=fresh).delete()
        _write_words([fresh])
        audit.record(PRIVATE_ENTRY, entry_key(user.username, fresh), entry_fields(stored), entry_fields(fresh))
    return fresh


def delete_private_entry(user: User, entry: PhonebookEntry) -> None:
    """Deletes an entry of the user's private phonebook (the portal page, DELETE /my/phonebook/entry/{id}); one
    that is gone already is no error."""
    with transaction.atomic():
        _lock_owner(user)
        stored = PhonebookEntry.objects.filter(pk=entry.pk, private_phonebook__user=user).first()
        if stored is None:
            return
        key = entry_key(user.username, stored)  # before delete() forgets the id
        stored.delete()
        audit.record(PRIVATE_ENTRY, key, entry_fields(stored), None)


def own_entry(user: User, entry_id) -> PhonebookEntry | None:
    """The entry `entry_id` if it is in the user's private phonebook (D4), else None (also for bad ids)."""
    try:
        pk = int(str(entry_id))
    except ValueError:
        return None
    if pk <= 0 or pk > 2**62:
        return None
    return PhonebookEntry.objects.filter(pk=pk, private_phonebook__user=user).first()


def delete_private_phonebook(user: User) -> None:
    with transaction.atomic():
        _lock_owner(user)  # not between another request's duplicate check and its insert (a 500 on the FK)
        book = PrivatePhonebook.objects.filter(user=user).annotate(entry_count=Count("entries")).first()
        if book is None:
            return
        book.delete()
        audit.record(PRIVATE, user.username, _private_fields(book, book.entry_count), None)


def set_show_on_phone(user: User, show: bool) -> PrivatePhonebook:
    with transaction.atomic():
        book = PrivatePhonebook.objects.select_for_update().filter(user=user).first()
        before = None if book is None else {"show_on_phone": book.show_on_phone}
        book = book or private_phonebook(user, create=True)
        book.show_on_phone = show
        book.save(update_fields=["show_on_phone"])
        audit.record(PRIVATE, user.username, before, {"show_on_phone": show})
    return book


@dataclass
class PrivateData:
    """A user's whole private phonebook, as the data file gives it."""

    show_on_phone: bool = True
    entries: Sequence[Mapping] = ()


def replace_private_phonebooks(books: Mapping[int, PrivateData | None]) -> None:
    """Gives each user (by id) exactly the private phonebook given, None: none. The data file's bulk form of
    `set_show_on_phone` and POST /my/phonebook: the same entry rules (`entry_problem`, private), a few queries per
    500 users. The first refused entry raises PhonebookError with `item` = the user's position in `books`."""
    ids = list(books)
    with transaction.atomic():
        before: dict[int, dict] = {}
        for start in range(0, len(ids), BATCH):
            stored = PrivatePhonebook.objects.filter(user_id__in=ids[start : start + BATCH])
            for book in stored.annotate(entry_count=Count("entries")):
                before[book.user_id] = _private_fields(book, book.entry_count)
            stored.delete()
        wanted = [(position, user_id, data) for position, (user_id, data) in enumerate(books.items()) if data]
        created = PrivatePhonebook.objects.bulk_create(
            [PrivatePhonebook(user_id=user_id, show_on_phone=data.show_on_phone) for _, user_id, data in wanted],
            batch_size=BATCH,
        )
        if any(book.pk is None for book in created):  # a backend that cannot return ids from a bulk insert
            by_user = dict(PrivatePhonebook.objects.filter(user_id__in=ids).values_list("user_id", "pk"))
            for book in created:
                book.pk = by_user[book.user_id]
        after: dict[int, dict] = {}
        for (position, user_id, data), book in zip(wanted, created, strict=True):
            try:
                after[user_id] = _private_fields(book, _add_entries(data.entries, private=book))
            except PhonebookError as exc:
                exc.item = position
                raise
        changed = [user_id for user_id in ids if user_id in before or user_id in after]
        names: dict[int, str] = {}
        for start in range(0, len(changed), BATCH):
            names.update(User.objects.filter(pk__in=changed[start : start + BATCH]).values_list("pk", "username"))
        audit.record_many(audit.Change(PRIVATE, names[i], before.get(i), after.get(i)) for i in changed)


# ---- shared phonebooks ---------------------------------------------------------------------------------


def _name_taken(name: str) -> PhonebookError:
    return PhonebookError(_('A phonebook named "%(name)s" already exists.') % {"name": name}, "name")


def _check_phonebook(book: Phonebook) -> None:
    """A phonebook's own fields: a name that is not blank, the model's lengths, storable text."""
    if is_blank(book.name):
        raise PhonebookError(_("A phonebook needs a name."), "name")
    try:
        book.clean_fields(exclude=["key_count"])
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise PhonebookError(" ".join(messages), name) from None
    for name, subject in (("name", _("The name")), ("description", _("The description"))):
        problem = text_problem_sentence(getattr(book, name), subject)
        if problem:
            raise PhonebookError(problem, name)


def save_phonebook(book: Phonebook, members: Iterable[UserGroup], consumers: Iterable[UserGroup]) -> Phonebook:
    """Create and edit on the admin pages and `import_phonebook --create`: stores `book` (name and description set)
    with its member and consumer groups. A name another phonebook has raises PhonebookError, also when another admin
    stored it a moment ago (the unique index refuses our insert)."""
    _check_phonebook(book)
    members, consumers = list(members), list(consumers)
    with transaction.atomic():
        if Phonebook.objects.filter(name=book.name).exclude(pk=book.pk).exists():
            raise _name_taken(book.name)
        before = _stored_phonebooks([book.pk]).get(book.pk) if book.pk else None
        _save_new_name(book)
        book.members.set(members)
        book.consumers.set(consumers)
        count = before["entries"] if before else 0
        audit.record(PHONEBOOK, book.name, before, _phonebook_fields(book, members, consumers, count))
    return book


def _save_new_name(book: Phonebook) -> None:
    """Saves the phonebook; a name another transaction stored a moment ago is refused (its unique index)."""
    try:
        with transaction.atomic():
            book.save()
    except IntegrityError:
        raise _name_taken(book.name) from None


def delete_phonebook(book: Phonebook) -> None:
    """Deletes a shared phonebook with its file entries (the admin page and the admin JSON API)."""
    with transaction.atomic():
        before = _stored_phonebooks([book.pk]).get(book.pk)
        book.delete()
        if before is not None:
            audit.record(PHONEBOOK, before["name"], before, None)


def delete_all_phonebooks() -> None:
    """Every shared and private phonebook with their entries (the data file's import --replace), as single DELETE
    statements; the audit log gets one deletion per phonebook, as `delete_phonebook` and `delete_private_phonebook`
    record it."""
    with transaction.atomic():
        shared = _stored_phonebooks(None)
        private = PrivatePhonebook.objects.select_related("user").annotate(entry_count=Count("entries"))
        private = {book.user.username: _private_fields(book, book.entry_count) for book in private}
        Phonebook.objects.all().delete()
        PrivatePhonebook.objects.all().delete()
        audit.record_many(
            [audit.Change(PHONEBOOK, before["name"], before, None) for before in shared.values()]
            + [audit.Change(PRIVATE, owner, before, None) for owner, before in private.items()]
        )


@dataclass
class PhonebookData:
    """A shared phonebook as the data file gives it: groups by name, `entries` its file entries (ENTRY_FIELDS);
    None keeps the stored ones (the admin JSON API, which writes entries apart)."""

    name: str
    description: str = ""
    members: Sequence[str] = ()
    consumers: Sequence[str] = ()
    entries: Sequence[Mapping] | None = field(default_factory=list)


def _groups_named(names: Sequence[str], groups: Mapping[str, UserGroup], role: str) -> list[UserGroup]:
    for index, name in enumerate(names):
        if name not in groups:
            raise PhonebookError(_('there is no group "%(name)s"') % {"name": name}, role, index=index)
    return [groups[name] for name in names]


def upsert_phonebooks(items: Sequence[PhonebookData], progress=None) -> list[Phonebook]:
    """The data file's phonebooks (and the admin JSON API's), matched by name, all or nothing: a stored one is
    replaced (description, groups, file entries unless `entries` is None), the others are created. Every group must
    exist; entries follow `entry_problem` (shared). The first problem raises PhonebookError with `item` = the
    phonebook's position in `items`."""
    wanted = {name for item in items for name in (*item.members, *item.consumers)}
    groups = {g.name: g for g in UserGroup.objects.filter(name__in=wanted)} if wanted else {}
    books, changes = [], []
    with transaction.atomic():
        existing = {p.name: p for p in Phonebook.objects.filter(name__in=[item.name for item in items])}
        before = _stored_phonebooks(p.pk for p in existing.values())
        for position, item in enumerate(items):
            try:
                members = _groups_named(item.members, groups, "members")
                consumers = _groups_named(item.consumers, groups, "consumers")
                book = existing.get(item.name) or Phonebook(name=item.name)
                book.description = item.description
                _check_phonebook(book)
                _save_new_name(book)  # a name twice in `items`, or stored by another transaction meanwhile
                book.members.set(members)
                book.consumers.set(consumers)
                old = before.get(book.pk)
                if item.entries is None:
                    count = old["entries"] if old else 0
                else:
                    count = _replace_file_entries(book, item.entries)
            except PhonebookError as exc:
                exc.item = position
                raise
            changes.append(audit.Change(PHONEBOOK, book.name, old, _phonebook_fields(book, members, consumers, count)))
            books.append(book)
            if progress is not None:
                progress(1)
        audit.record_many(changes)
    return books


def replace_file_entries(phonebook: Phonebook, datas: Iterable[dict], progress=None) -> int:
    """Removes the phonebook's file entries and imports `datas` instead, in one transaction; the audit log tells the
    number of entries before and after."""
    with transaction.atomic():
        _lock_phonebook(phonebook)
        before = phonebook.entries.count()
        count = _replace_file_entries(phonebook, datas, progress, locked=True)
        _record_count(phonebook, None, before, count)
    return count


def _replace_file_entries(phonebook: Phonebook, datas: Iterable[dict], progress=None, locked: bool = False) -> int:
    with transaction.atomic():
        if not locked:
            _lock_phonebook(phonebook)
        phonebook.entries.all().delete()
        return _add_entries(datas, phonebook=phonebook, progress=progress)


# ---- a shared phonebook's entries one by one (the admin JSON API) ------------------------------------------


def create_entries(phonebook: Phonebook, datas: Sequence[Mapping]) -> list[PhonebookEntry]:
    """Creates a client's entries (dicts of ENTRY_FIELDS) in a shared phonebook, all or nothing (the first refused
    one raises PhonebookError with `entry` set); each is recorded in the audit log with its fields."""
    created: list[PhonebookEntry] = []
    with transaction.atomic():
        _lock_phonebook(phonebook)
        _add_entries(datas, phonebook=phonebook, created=created)
        audit.record_many(audit.Change(ENTRY, entry_key(phonebook.name, e), None, entry_fields(e)) for e in created)
    return created


def update_entry(phonebook: Phonebook, entry: PhonebookEntry, data: Mapping) -> PhonebookEntry:
    """Replaces every field of a shared phonebook's entry by `data`'s (absent = cleared), by the rules of an
    imported entry (`entry_problem`); a refused value raises PhonebookError naming its field."""
    problem = entry_problem(data, shared=True)
    if problem:
        raise PhonebookError(problem[1], problem[0])
    with transaction.atomic():
        _lock_phonebook(phonebook)
        # Read again under the lock: saving a pk that was deleted meanwhile would insert it again.
        stored = PhonebookEntry.objects.filter(pk=entry.pk, phonebook=phonebook).first()
        if stored is None:
            raise EntryGone(
                _("There is no entry %(id)s in phonebook %(phonebook)s any more.")
                % {"id": entry.pk, "phonebook": phonebook.name}
            )
        fresh = _new_entry({name: data.get(name) for name in ENTRY_FIELDS}, phonebook=phonebook)
        fresh.pk = entry.pk
        fresh.timestamp = int(time.time() * 1000)
        fresh.save(force_update=True)
        EntryWord.objects.filter(entry=fresh).delete()
        _write_words([fresh])
        _recount(phonebook)
        audit.record(ENTRY, entry_key(phonebook.name, fresh), entry_fields(stored), entry_fields(fresh))
    return fresh


def delete_entry(phonebook: Phonebook, entry: PhonebookEntry) -> None:
    """Deletes an entry of a shared phonebook; one that is gone already is no error."""
    with transaction.atomic():
        _lock_phonebook(phonebook)
        stored = PhonebookEntry.objects.filter(pk=entry.pk, phonebook=phonebook).first()
        if stored is None:
            return
        key = entry_key(phonebook.name, stored)  # before delete() forgets the id
        stored.delete()
        _recount(phonebook)
        audit.record(ENTRY, key, entry_fields(stored), None)


# ---- the PBX-wide phonebook settings ---------------------------------------------------------------------

SETTINGS_FIELDS = ("everyone", "google_domain")


def save_settings(settings: PhonebookSettings) -> PhonebookSettings:
    """The phonebook settings page and the data file; the audit log's key is "settings" (there is one row)."""
    with transaction.atomic():
        stored = PhonebookSettings.objects.select_for_update().filter(pk=settings.pk).first()
        before = audit.snapshot(stored, SETTINGS_FIELDS) if stored else None
        settings.save()
        audit.record(SETTINGS, "settings", before, audit.snapshot(settings, SETTINGS_FIELDS))
    return settings


def reset_settings() -> None:
    """import --replace: the model's defaults again (no "everyone" phonebook, no Google domain), a change recorded as
    save_settings records one; no settings stored is the defaults already."""
    if PhonebookSettings.objects.filter(pk=1).exists():
        save_settings(PhonebookSettings(pk=1))
