"""Phonebook exports: CSV in the sipXconfig layout (B.5.1 column order, the same layout `importers` reads) and
vCard 3.0 (written with vobject), of a user's merged view or of a shared phonebook's file entries. Generators of
byte chunks: callers stream them. CSV cells go through `sipxweb.csvcells` (formula neutralisation), which the
importer undoes, so an export imports back to the same entries."""

from collections.abc import Iterable, Iterator

import vobject

from apps.phonebooks.readmodel import USER, MergedRow
from sipxweb import csvcells

# (CSV header, model field or (address field, key)) in the B.5.1 export order.
COLUMNS = [
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Number", "number"),
    ("Job Title", "job_title"),
    ("Job Department", "job_dept"),
    ("Company Name", "company_name"),
    ("Assistant Name", "assistant_name"),
    ("Cell Phone Number", "cell_phone_number"),
    ("Home Phone Number", "home_phone_number"),
    ("Assistant Phone Number", "assistant_phone_number"),
    ("Fax Number", "fax_number"),
    ("Im Id", "im_id"),
    ("Alternate Im Id", "alternate_im_id"),
    ("Location", "location"),
    ("Home City", ("home_address", "city")),
    ("Home Country", ("home_address", "country")),
    ("Home State", ("home_address", "state")),
    ("Home Street", ("home_address", "street")),
    ("Home Zip", ("home_address", "zip")),
    ("Office City", ("office_address", "city")),
    ("Office Country", ("office_address", "country")),
    ("Office State", ("office_address", "state")),
    ("Office Street", ("office_address", "street")),
    ("Office Zip", ("office_address", "zip")),
    ("Office Designation", ("office_address", "officeDesignation")),
    ("Office Mail", "email_address"),
    ("Alternate Office Mail", "alternate_email_address"),
]
HEADER = [title for title, _ in COLUMNS]


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
    """Model field -> value of one exported row (a MergedRow or a PhonebookEntry)."""
    names, contact, user = _contact_source(row)
    out = {}
    for _, source in COLUMNS:
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


def vcard_of(row) -> str:
    v = values_of(row)
    card = vobject.vCard()
    first, last = v["first_name"] or "", v["last_name"] or ""
    card.add("n").value = vobject.vcard.Name(family=last, given=first)
    card.add("fn").value = " ".join(p for p in (first, last) if p) or v["number"] or ""
    tel = card.add("tel")
    tel.value = v["number"] or ""
    tel.type_param = "WORK"
    for field, kind in (("cell_phone_number", "CELL"), ("home_phone_number", "HOME"), ("fax_number", "FAX")):
        if v[field]:
            extra = card.add("tel")
            extra.value = v[field]
            extra.type_param = kind
    for field in ("email_address", "alternate_email_address"):
        if v[field]:
            card.add("email").value = v[field]
    if v["company_name"] or v["job_dept"]:
        card.add("org").value = [v["company_name"] or ""] + ([v["job_dept"]] if v["job_dept"] else [])
    if v["job_title"]:
        card.add("title").value = v["job_title"]
    for prefix, kind in (("home_address", "HOME"), ("office_address", "WORK")):
        parts = {key: v[(prefix, key)] or "" for key in ("street", "city", "state", "zip", "country")}
        if any(parts.values()):
            adr = card.add("adr")
            adr.value = vobject.vcard.Address(
                street=parts["street"],
                city=parts["city"],
                region=parts["state"],
                code=parts["zip"],
                country=parts["country"],
            )
            adr.type_param = kind
    return card.serialize()


def vcard_export(rows: Iterable) -> Iterator[bytes]:
    return csvcells.batched((vcard_of(row) for row in rows), 200)
