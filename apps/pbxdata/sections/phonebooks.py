"""`phonebooks` (shared phonebooks, matched by name) and the users' `privatePhonebook` key (loaded by the users
section through `load_private`/`dump_private`). Entries use the names of docs/pbx-data.md (`firstName`, `lastName`,
`number`, `internalId`, `contactInformation` with the address-book wire names of docs/compatibility.md B.5.2).

Import semantics, as for users: a phonebook of the file replaces the stored one of that name (its file entries
and groups); a user of the file gets exactly the file's private phonebook (none when the key is absent).
Entries are written in bulk (apps.phonebooks.services.add_entries), so 100,000 entries are one import."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, list_of, obj, text
from apps.phonebooks import services
from apps.phonebooks.api.serializers import CONTACT_WIRE
from apps.phonebooks.models import Phonebook, PhonebookEntry, PrivatePhonebook
from apps.users.models import AddressBookFields

ADDRESSES = {"homeAddress", "officeAddress", "branchAddress"}


def _address(value, path):
    if not isinstance(value, dict):
        raise PbxDataError(path, "expected an object of street, city, country, state, zip, officeDesignation")
    check = obj({key: (text(nullable=True), None) for key in AddressBookFields.ADDRESS_KEYS})
    return {k: v for k, v in check(value, path).items() if v is not None}


_contact = obj(
    {wire: ((_address, dict) if wire in ADDRESSES else (text(nullable=True), None)) for wire, _ in CONTACT_WIRE}
)
_entry = obj(
    {
        "firstName": (text(), ""),
        "lastName": (text(), ""),
        "number": (text(blank=False), REQUIRED),
        "internalId": (text(nullable=True), None),
        "contactInformation": (_contact, None),
    }
)
_private = obj({"showOnPhone": (boolean, True), "entries": (list_of(_entry), list)})
_names = list_of(text(blank=False), unique=str, what="group")
_phonebook = obj(
    {
        "name": (text(blank=False), REQUIRED),
        "description": (text(), ""),
        "members": (_names, list),
        "consumers": (_names, list),
        "entries": (list_of(_entry), list),
    }
)
_phonebooks = list_of(_phonebook, unique=lambda p: p["name"], what="phonebook")


def validate_private(value, path):
    return _private(value, path)


def validate(value, path):
    return _phonebooks(value, path)


def entry_data(item: dict) -> dict:
    """A validated file entry as apps.phonebooks.services ENTRY_FIELDS."""
    data = {"first_name": item["firstName"], "last_name": item["lastName"], "number": item["number"]}
    data["internal_id"] = item["internalId"]
    contact = item["contactInformation"] or {}
    for wire, field in CONTACT_WIRE:
        if wire in contact:
            data[field] = contact[wire]
    return data


def dump_entry(entry: PhonebookEntry) -> dict:
    out: dict = {}
    if entry.first_name:
        out["firstName"] = entry.first_name
    if entry.last_name:
        out["lastName"] = entry.last_name
    out["number"] = entry.number
    if entry.internal_id is not None:
        out["internalId"] = entry.internal_id
    contact = {}
    for wire, field in CONTACT_WIRE:
        value = getattr(entry, field)
        if wire in ADDRESSES:
            value = {k: value[k] for k in AddressBookFields.ADDRESS_KEYS if value and value.get(k) is not None}
            if value:
                contact[wire] = value
        elif value is not None:
            contact[wire] = value
    if contact:
        out["contactInformation"] = contact
    return out


def _entries(queryset) -> list[dict]:
    return [dump_entry(e) for e in queryset.order_by("sort_key", "id").iterator(chunk_size=2000)]


# ---- users' private phonebooks -------------------------------------------------------------------------


def load_private(users: list[dict], ctx) -> None:
    """Gives each user of the file exactly the file's private phonebook (none when the key is absent)."""
    rows = [ctx.users[u["userName"]] for u in users]
    if not ctx.replace:
        ids = [row.pk for row in rows]
        for start in range(0, len(ids), 500):
            PrivatePhonebook.objects.filter(user_id__in=ids[start : start + 500]).delete()
    wanted = [(u, row) for u, row in zip(users, rows, strict=True) if u.get("privatePhonebook") is not None]
    books = PrivatePhonebook.objects.bulk_create(
        [PrivatePhonebook(user_id=row.pk, show_on_phone=u["privatePhonebook"]["showOnPhone"]) for u, row in wanted]
    )
    if books and any(b.pk is None for b in books):
        ids = [r.pk for _, r in wanted]
        by_user = dict(PrivatePhonebook.objects.filter(user_id__in=ids).values_list("user_id", "pk"))
        for book in books:
            book.pk = by_user[book.user_id]
    for (u, _), book in zip(wanted, books, strict=True):
        services.add_entries((entry_data(e) for e in u["privatePhonebook"]["entries"]), private=book)


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
    Phonebook.objects.all().delete()
    PrivatePhonebook.objects.all().delete()


def load(phonebooks: list[dict], ctx) -> None:
    groups = ctx.groups
    if groups is None:
        from apps.users.models import UserGroup

        groups = {g.name: g for g in UserGroup.objects.all()}
    ctx.stage("phonebooks", len(phonebooks))
    existing = {p.name: p for p in Phonebook.objects.filter(name__in=[p["name"] for p in phonebooks])}
    for i, item in enumerate(phonebooks):
        for role in ("members", "consumers"):
            for j, name in enumerate(item[role]):
                if name not in groups:
                    where = f"phonebooks[{i}].{role}[{j}]"
                    raise PbxDataError(where, f'there is no group "{name}" (add it to "groups")')
        book = existing.get(item["name"])
        if book is None:
            book = Phonebook.objects.create(name=item["name"], description=item["description"])
        else:
            book.description = item["description"]
            book.save(update_fields=["description"])
            book.entries.all().delete()
        book.members.set([groups[n] for n in item["members"]])
        book.consumers.set([groups[n] for n in item["consumers"]])
        services.add_entries((entry_data(e) for e in item["entries"]), phonebook=book)
        ctx.step()


def dump():
    books = Phonebook.objects.order_by("name").prefetch_related("members", "consumers")
    out = []
    for book in books:
        item: dict = {"name": book.name}
        if book.description:
            item["description"] = book.description
        members = sorted(g.name for g in book.members.all())
        consumers = sorted(g.name for g in book.consumers.all())
        if members:
            item["members"] = members
        if consumers:
            item["consumers"] = consumers
        entries = _entries(book.entries.all())
        if entries:
            item["entries"] = entries
        out.append(item)
    return out or None
