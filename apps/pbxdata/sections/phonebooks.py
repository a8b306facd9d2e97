"""`phonebooks` (shared phonebooks, matched by name) and the users' `privatePhonebook` key (loaded by the users
section through `load_private`/`dump_private`): the file's schema and its mapping onto apps.phonebooks.services
(`upsert_phonebooks`, `replace_private_phonebooks`), which hold every rule (groups that exist, what an entry needs,
lengths) as they do for REST and the pages. Entries use the names of docs/pbx-data.md (`firstName`, `lastName`,
`number`, `internalId`, `contactInformation` with the address-book wire names of apps.users.addressbook).

Import semantics, as for users: a phonebook of the file replaces the stored one of that name (its file entries
and groups); a user of the file gets exactly the file's private phonebook (none when the key is absent).
Entries are written in bulk (apps.phonebooks.services.add_entries), so 100,000 entries are one import."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, described, json_schema, list_of, obj, text
from apps.phonebooks import services
from apps.phonebooks.models import Phonebook, PhonebookEntry, PrivatePhonebook
from apps.users import addressbook

CONTACT = addressbook.ENTRY_FIELDS
# An entry's own keys: file key -> ENTRY_FIELDS name (the contact keys are the wire names of CONTACT).
OWN_KEYS = {"firstName": "first_name", "lastName": "last_name", "number": "number", "internalId": "internal_id"}
# ENTRY_FIELDS name -> the file path below an entry, to name a value the services refuse.
ENTRY_PATHS = {
    **{name: key for key, name in OWN_KEYS.items()},
    **{f.model: f"contactInformation.{f.wire}" for f in CONTACT},
}


_address_keys = obj({key: (text(nullable=True), None) for key in addressbook.ADDRESS_KEYS})


def _address(value, path):
    if not isinstance(value, dict):
        raise PbxDataError(path, f"expected an object of {', '.join(addressbook.ADDRESS_KEYS)}")
    return {k: v for k, v in _address_keys(value, path).items() if v is not None}


described(_address, json_schema(_address_keys))


_contact = obj(
    {f.wire: ((_address, dict) if f.kind == addressbook.ADDRESS else (text(nullable=True), None)) for f in CONTACT}
)
_entry = obj(
    {
        "firstName": (text(), ""),
        "lastName": (text(), ""),
        "number": (text(), REQUIRED),  # may a number be blank? The services say (entry_problem).
        "internalId": (text(nullable=True), None),
        "contactInformation": (_contact, None),
    }
)


def _checked_entry(shared: bool):
    """One entry of a shared or a private phonebook, checked by the services' entry rules as soon as it is read, so
    that a bad entry is refused before anything is written. It has the keys of `_entry` (`fields`: the admin JSON
    API reads them, and `complete` fills them)."""

    def check(value, path):
        item = _entry(value, path)
        problem = services.entry_problem(entry_data(item), shared)
        if problem:
            raise PbxDataError(f"{path}.{ENTRY_PATHS[problem[0]]}", problem[1])
        return item

    check.fields = _entry.fields
    return described(check, json_schema(_entry))


# One entry of a shared phonebook (the admin JSON API's /phonebooks/{name}/entries) and of a private one.
ENTRY = _checked_entry(shared=True)
PRIVATE_ENTRY = _checked_entry(shared=False)

_private = obj({"showOnPhone": (boolean, True), "entries": (list_of(PRIVATE_ENTRY), list)})
_names = list_of(text(blank=False), unique=str, what="group")
# One shared phonebook (the admin JSON API's /phonebooks, which serves `entries` apart).
PHONEBOOK = obj(
    {
        "name": (text(blank=False), REQUIRED),
        "description": (text(), ""),
        "members": (_names, list),
        "consumers": (_names, list),
        "entries": (list_of(ENTRY), list),
    }
)
_phonebooks = list_of(PHONEBOOK, unique=lambda p: p["name"], what="phonebook")


def validate_private(value, path):
    return _private(value, path)


def validate(value, path):
    return _phonebooks(value, path)


def entry_data(item: dict) -> dict:
    """A validated file entry as apps.phonebooks.services ENTRY_FIELDS."""
    data = {name: item[key] for key, name in OWN_KEYS.items()}
    contact = item["contactInformation"] or {}
    data.update({f.model: contact[f.wire] for f in CONTACT if f.wire in contact})
    return data


def dump_entry(entry: PhonebookEntry) -> dict:
    """An entry without the keys at their default: a name "" and a value not set (None; an internal id "" is set)."""
    out: dict = {}
    for key, name in OWN_KEYS.items():
        value = getattr(entry, name)
        if value or key == "number" or (key == "internalId" and value is not None):
            out[key] = value
    contact = {}
    for f in CONTACT:
        value = getattr(entry, f.model)
        if f.kind == addressbook.ADDRESS:
            value = {k: value[k] for k in addressbook.ADDRESS_KEYS if value and value.get(k) is not None} or None
        if value is not None:
            contact[f.wire] = value
    if contact:
        out["contactInformation"] = contact
    return out


def refused(exc: services.PhonebookError, where: str) -> PbxDataError:
    """The data file's error for a value the services refuse; `where` is the path of the phonebook."""
    if exc.entry is not None:
        path = f"{where}.entries[{exc.entry}].{ENTRY_PATHS[exc.field]}"
    else:
        path = f"{where}.{exc.field}" + (f"[{exc.index}]" if exc.index is not None else "")
    return PbxDataError(path, " ".join(exc.messages).rstrip("."))


# ---- users' private phonebooks -------------------------------------------------------------------------


def load_private(users: list[dict], ctx) -> None:
    """Gives each user of the file exactly the file's private phonebook (none when the key is absent)."""
    books = {}
    for u in users:
        book = u.get("privatePhonebook")
        entries = [entry_data(e) for e in book["entries"]] if book is not None else []
        private = services.PrivateData(book["showOnPhone"], entries) if book is not None else None
        books[ctx.users[u["userName"]].pk] = private
    try:
        services.replace_private_phonebooks(books)
    except services.PhonebookError as exc:
        raise refused(exc, f"users[{exc.item}].privatePhonebook") from None


def dump_private() -> dict:
    """user id -> the `privatePhonebook` value of every user who has one (two queries in all)."""
    entries: dict[int, list[dict]] = {}
    for entry in PhonebookEntry.objects.filter(private_phonebook__isnull=False).order_by("sort_key", "id"):
        entries.setdefault(entry.private_phonebook_id, []).append(dump_entry(entry))
    return {
        book.user_id: {"showOnPhone": book.show_on_phone, "entries": entries.get(book.pk, [])}
        for book in PrivatePhonebook.objects.all()
    }


# ---- shared phonebooks ---------------------------------------------------------------------------------


def clear():
    services.delete_all_phonebooks()


def load(phonebooks: list[dict], ctx) -> None:
    ctx.stage("phonebooks", len(phonebooks))
    # The file's keys are PhonebookData's fields; only the entries change their names.
    items = [services.PhonebookData(**{**p, "entries": [entry_data(e) for e in p["entries"]]}) for p in phonebooks]
    try:
        services.upsert_phonebooks(items, progress=ctx.step)
    except services.PhonebookError as exc:
        error = refused(exc, f"phonebooks[{exc.item}]")
        if exc.entry is None and exc.index is not None:  # an unknown group: say where groups come from
            error = PbxDataError(error.path, f'{error.message} (add it to "groups")')
        raise error from None


def _dump_entries(queryset) -> list[dict]:
    return [dump_entry(e) for e in queryset.order_by("sort_key", "id").iterator(chunk_size=2000)]


def dump_phonebook(book: Phonebook, entries: bool = True) -> dict:
    """One phonebook (its members and consumers prefetched); keys at their default are left out. Without
    `entries` (the admin JSON API, which serves them apart) its entries are not read."""
    item: dict = {"name": book.name}
    if book.description:
        item["description"] = book.description
    members = sorted(g.name for g in book.members.all())
    consumers = sorted(g.name for g in book.consumers.all())
    if members:
        item["members"] = members
    if consumers:
        item["consumers"] = consumers
    if entries:
        dumped = _dump_entries(book.entries.all())
        if dumped:
            item["entries"] = dumped
    return item


def dump():
    books = Phonebook.objects.order_by("name").prefetch_related("members", "consumers")
    return [dump_phonebook(book) for book in books] or None
