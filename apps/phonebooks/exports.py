"""Phonebook exports: CSV in the sipXconfig layout (B.5.1 column order, the same layout `importers` reads) and
vCard 3.0 (written with vobject), of a user's merged view or of a shared phonebook's file entries. Generators of
byte chunks: callers stream them. CSV cells go through `sipxweb.csvcells` (formula neutralisation), which the
importer undoes, so an export imports back to the same entries."""

from collections.abc import Iterable, Iterator

import vobject

from apps.phonebooks.readmodel import USER, MergedRow
from apps.users import addressbook
from sipxweb import csvcells

# (CSV header, model field or (address field, key)) in the B.5.1 export order.
COLUMNS = addressbook.csv_columns()
HEADER = [title for title, _ in COLUMNS]
# What values_of() reads: every CSV column and every field a vCard holds.
SOURCES = [source for _, source in COLUMNS] + [
    (f.model, key) for f in addressbook.vcard_fields("adr") for key in addressbook.ADDRESS_KEYS
]


def _contact_source(row):
    """(object with the names/number, object with the contact fields) of a MergedRow or an entry."""
    if isinstance(row, MergedRow):
        if row.source == USER:
            user = row.user
            try:
                profile = user.profile
            except type(user).profile.RelatedObjectDoesNotExist:
                profile = None
            return {"first_name": user.first_name, "last_name": user.last_name, "number": user.username}, profile, user
        return None, row.entry, None
    return None, row, None


def values_of(row) -> dict:
    """Model field (or (address field, key)) -> value of one exported row (a MergedRow or a PhonebookEntry)."""
    names, contact, user = _contact_source(row)
    out = {}
    for source in SOURCES:
        if isinstance(source, tuple):
            address = getattr(contact, source[0], None) or {}
            out[source] = address.get(source[1])
        elif names is not None and source in names:
            out[source] = names[source]
        elif source == "im_id" and user is not None:
            out[source] = user.im_id if user.im_enabled else None
        else:
            out[source] = getattr(contact, source, None)
    return out


def csv_export(rows: Iterable) -> Iterator[bytes]:
    def lines():
        for row in rows:
            values = values_of(row)
            yield [values[source] for _, source in COLUMNS]

    return csvcells.stream(HEADER, lines())


def _vcard_address(card, values: dict, field: addressbook.ContactField) -> None:
    parts = {
        part.vcard: values[(field.model, key)] or "" for key, part in addressbook.ADDRESS_PARTS.items() if part.vcard
    }
    if any(parts.values()):
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(**parts)
        adr.type_param = field.vcard[1]


def vcard_of(row) -> str:
    """A vCard 3.0 of the row: N, FN, the number as the WORK phone, then the address-book fields that have a vCard
    property (apps.users.addressbook), in the order TEL, EMAIL, ORG, TITLE, ADR."""
    v = values_of(row)
    card = vobject.vCard()
    first, last = v["first_name"] or "", v["last_name"] or ""
    card.add("n").value = vobject.vcard.Name(family=last, given=first)
    card.add("fn").value = " ".join(p for p in (first, last) if p) or v["number"] or ""
    tel = card.add("tel")
    tel.value = v["number"] or ""
    tel.type_param = "WORK"
    for field in addressbook.vcard_fields("tel"):
        if v[field.model]:
            extra = card.add("tel")
            extra.value = v[field.model]
            extra.type_param = field.vcard[1]
    for field in addressbook.vcard_fields("email"):
        if v[field.model]:
            card.add("email").value = v[field.model]
    org = [v[field.model] or "" for field in addressbook.vcard_fields("org")]
    if any(org):
        # The company always, the department only when set (an ORG of one component otherwise).
        card.add("org").value = org[:1] + [unit for unit in org[1:] if unit]
    title = addressbook.vcard_fields("title")[0].model
    if v[title]:
        card.add("title").value = v[title]
    for field in addressbook.vcard_fields("adr"):
        _vcard_address(card, v, field)
    return card.serialize()


def vcard_export(rows: Iterable) -> Iterator[bytes]:
    return csvcells.batched((vcard_of(row) for row in rows), 200)
