"""Phonebook writes shared by the REST views, the HTML pages, the import command and the PBX data file: entries
created in bulk with their search words, private entries under the owner's lock with the duplicate check
(docs/compatibility.md D2), file imports that replace a phonebook's entries. What a user sees (the merged
view, search, paging, the shared phonebook listing) is read in SQL by readmodel.py."""

import time
from collections.abc import Iterable

from django.db import connection, transaction
from django.http import Http404

from apps.phonebooks.models import EntryWord, Phonebook, PhonebookEntry, PrivatePhonebook, make_sort_key
from apps.phonebooks.readmodel import sees_key, tables
from apps.users.models import User

WORD_BATCH = 2000

# Model fields an entry takes from a client or a file (besides the names and the number).
CONTACT_FIELDS = [
    "job_title",
    "job_dept",
    "company_name",
    "assistant_name",
    "location",
    "home_address",
    "office_address",
    "branch_address",
    "cell_phone_number",
    "home_phone_number",
    "assistant_phone_number",
    "fax_number",
    "did_number",
    "im_id",
    "im_display_name",
    "alternate_im_id",
    "email_address",
    "alternate_email_address",
]
ENTRY_FIELDS = ["first_name", "last_name", "number", "internal_id", *CONTACT_FIELDS]


class DuplicateEntry(Exception):
    """The user already sees an entry with the same first name, last name and number (D2: 409)."""


class EntryGone(Http404):
    """The private entry being edited was deleted meanwhile (a 404 for REST and pages alike)."""


# ---- writing entries -----------------------------------------------------------------------------------


def private_phonebook(user: User, create: bool = False) -> PrivatePhonebook | None:
    if create:
        return PrivatePhonebook.objects.get_or_create(user=user)[0]
    return PrivatePhonebook.objects.filter(user=user).first()


def _new_entry(data: dict, **owner) -> PhonebookEntry:
    entry = PhonebookEntry(**owner)
    for name in ENTRY_FIELDS:
        if name in data:
            value = data[name]
            if name in ("first_name", "last_name", "number"):
                value = value or ""
            elif name.endswith("_address") and name != "email_address" and name != "alternate_email_address":
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


def add_entries(datas: Iterable[dict], *, phonebook=None, private=None, progress=None, batch: int = 1000) -> int:
    """Creates entries (dicts of ENTRY_FIELDS) in a shared or a private phonebook, in batches; returns how many."""
    owner = {"phonebook": phonebook} if phonebook is not None else {"private_phonebook": private}
    count = 0
    pending: list[PhonebookEntry] = []
    stamp = int(time.time() * 1000)

    def flush():
        created = PhonebookEntry.objects.bulk_create(pending)
        _write_words(created)
        if progress is not None:
            progress(len(created))

    with transaction.atomic():
        if phonebook is not None:
            # Two imports into one phonebook at once: the second waits here, so its recount (one statement,
            # its own snapshot) sees the first's rows; unlocked, the later UPDATE stored a stale key_count.
            _lock_phonebook(phonebook)
        for data in datas:
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


def create_private_entry(user: User, data: dict) -> PhonebookEntry:
    """B.3.6 create: the user's private phonebook is created on demand; a duplicate raises DuplicateEntry."""
    with transaction.atomic():
        _lock_owner(user)
        key = make_sort_key(data.get("number") or "", data.get("first_name") or "", data.get("last_name") or "")
        if sees_key(user, key):
            raise DuplicateEntry(key)
        entry = _new_entry(data, private_phonebook=private_phonebook(user, create=True))
        entry.timestamp = int(time.time() * 1000)
        entry.save()
        _write_words([entry])
    return entry


def update_private_entry(user: User, entry: PhonebookEntry, data: dict) -> PhonebookEntry:
    """B.3.6 PUT: every field is replaced by the body's (absent = cleared); a duplicate of another entry raises."""
    with transaction.atomic():
        _lock_owner(user)
        # Read again under the lock: saving a pk that was deleted meanwhile would insert it again.
        if not PhonebookEntry.objects.filter(pk=entry.pk, private_phonebook__user=user).exists():
            raise EntryGone(f"There is no entry {entry.pk} in your private phonebook any more.")
        key = make_sort_key(data.get("number") or "", data.get("first_name") or "", data.get("last_name") or "")
        if sees_key(user, key, exclude_entry=entry.pk):
            raise DuplicateEntry(key)
        fresh = _new_entry({name: data.get(name) for name in ENTRY_FIELDS}, private_phonebook=entry.private_phonebook)
        fresh.pk = entry.pk
        fresh.timestamp = int(time.time() * 1000)
        fresh.save(force_update=True)
        EntryWord.objects.filter(entry=fresh).delete()
        _write_words([fresh])
    return fresh


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
        PrivatePhonebook.objects.filter(user=user).delete()


def set_show_on_phone(user: User, show: bool) -> PrivatePhonebook:
    book = private_phonebook(user, create=True)
    book.show_on_phone = show
    book.save(update_fields=["show_on_phone"])
    return book


def replace_file_entries(phonebook: Phonebook, datas: Iterable[dict], progress=None) -> int:
    """Removes the phonebook's file entries and imports `datas` instead, in one transaction."""
    with transaction.atomic():
        _lock_phonebook(phonebook)
        phonebook.entries.all().delete()
        return add_entries(datas, phonebook=phonebook, progress=progress)
