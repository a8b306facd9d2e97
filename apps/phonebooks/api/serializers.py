"""Wire forms of the phonebook URIs (docs/compatibility.md B.2.1, B.2.2, B.3.5-B.3.8, B.5.1, B.5.2): every element
and field name the phonebook URIs write or read is here. Output dicts in wire order, the strict input serializers
of `/my/phonebook` and `/my/phonebook/entry/{id}`, and the streamed bodies of the long lists: a generator of byte
chunks per format, so a list of 100,000 entries never sits in memory (views wrap them in StreamingHttpResponse).

* `xstream_list()` writes the XStream layout of a root list (`<phonebook><entry>...`, `{"phonebook": [...]}`)
  entry by entry with the same functions as `sipxweb.rest.xstream` (their output is byte-identical to
  rendering the whole Document at once); `merged_view()` is /my/phonebook's.
* `csv_phonebook()` is B.2.2's CSV (quoting and formula neutralisation by `sipxweb.csvcells`, the one CSV
  writer); `dom_phonebook()` / `dom_phonebooks()` the DOM serialisation of B.2.1/B.2.2 (declaration, no
  indentation, `<x/>` for an empty element).

Wire choices where the original is silent: an address is written only when one of its keys is set (the
spec's samples show none for entries without addresses); `useBranchAddress` is never written; a name that is
not set is omitted (XStream's null); user-derived entries carry the user's contact information and the avatar
URL of A.3, file and private entries carry no avatar."""

from collections.abc import Iterable, Iterator

from rest_framework import serializers

from apps.phonebooks.readmodel import USER, MergedRow, Page
from apps.users import addressbook
from apps.users.api.serializers import AddressBookSerializer
from apps.users.avatar import avatar_url
from apps.users.models import User
from sipxweb import csvcells, xmltext
from sipxweb.rest.errors import sentence
from sipxweb.rest.fields import RepeatedField, StrictSerializer
from sipxweb.rest.xstream import XList, _json_string, _json_value, _xml_lines
from sipxweb.text import EMAIL, is_blank

# The XStream root aliases: the merged view, its page and its search are `<phonebook>` lists of `<entry>`;
# one private entry is an `<entry>`.
PHONEBOOK_ROOT = "phonebook"
ENTRY_ROOT = "entry"

TEXT = {"required": False, "allow_null": True, "allow_blank": True, "max_length": 255}
# Entries in one POST /my/phonebook: a phone or client adds contacts in handfuls; whole address books go
# through the phonebook file import. Checked before any entry is validated.
MAX_ENTRIES_PER_POST = 1000


def _address(value) -> dict | None:
    value = value or {}
    out = {key: value.get(key) for key in addressbook.ADDRESS_KEYS}
    return out if any(v is not None for v in out.values()) else None


def contact_of(obj, im_id=None, im_display_name=None, avatar=None) -> dict:
    """The `contact-information` dict of an entry or a user profile (None members are omitted on the wire): the
    entry fields of `addressbook.FIELDS`, a user's IM id and display name given apart (they live on User)."""
    given = {"im_id": im_id, "im_display_name": im_display_name}
    out = {}
    for field in addressbook.ENTRY_FIELDS:
        value = getattr(obj, field.model, None)
        if field.kind == addressbook.ADDRESS:
            value = _address(value)
        elif given.get(field.model) is not None:
            value = given[field.model]
        out[field.wire] = value
    out["avatar"] = avatar
    return out


def user_contact(user: User, request=None) -> dict:
    try:
        profile = user.profile
    except User.profile.RelatedObjectDoesNotExist:
        profile = None
    im_id = user.im_id if user.im_enabled and user.im_id else None
    return contact_of(profile, im_id=im_id, im_display_name=user.im_display_name, avatar=avatar_url(user, request))


def row_contact(row: MergedRow, request=None) -> dict:
    if row.source == USER:
        return user_contact(row.user, request)
    return contact_of(row.entry)


def row_wire(row: MergedRow, request=None, with_id: bool = False) -> dict:
    """An `entry` of /my/phonebook and the search (B.3.5, B.3.8), with `id` first for the paged view (B.3.7)."""
    out = {}
    if with_id:
        out["id"] = str(row.private_id if row.private_id is not None else -1)
    out["first-name"] = row.first_name or None
    out["last-name"] = row.last_name or None
    out["number"] = row.number
    out["contact-information"] = row_contact(row, request)
    return out


def paged_wire(page: Page, book, settings, request=None) -> dict:
    """GET /my/pagedphonebook (B.3.7): the page's sizes and rows, the caller's show-on-phone switch (`n/a` without a
    private phonebook) and the PBX's Google domain."""
    return {
        "size": page.size,
        "filtered-size": page.filtered_size,
        "start-row": page.start,
        "end-row": page.end,
        "show-on-phone": "n/a" if book is None else ("true" if book.show_on_phone else "false"),
        "google-domain": settings.google_domain if settings else None,
        "entries": XList("entry", [row_wire(row, request, with_id=True) for row in page.rows]),
    }


def search_wire(rows: Iterable[MergedRow], request=None) -> XList:
    """GET /my/search/phonebook (B.3.8): the matching rows as `<entry>` items."""
    return XList("entry", [row_wire(row, request) for row in rows])


def entry_wire(entry) -> dict:
    """GET /my/phonebook/entry/{id} (B.3.6)."""
    return {
        "first-name": entry.first_name or None,
        "last-name": entry.last_name or None,
        "number": entry.number,
        "internalId": entry.internal_id,
        "contact-information": contact_of(entry),
        "timestamp": entry.timestamp,
    }


class EntryContactSerializer(AddressBookSerializer):
    """`contact-information` of an entry (B.5.2). `useBranchAddress` and `avatar` are accepted and ignored."""

    useBranchAddress = serializers.CharField(required=False, allow_blank=True, write_only=True)
    avatar = serializers.CharField(required=False, allow_blank=True, write_only=True, max_length=2000)


class EntrySerializer(StrictSerializer):
    """One `entry` body (B.3.6). `validate_entry` applies sipXconfig's checks for the single-entry URI."""

    validate_entry = True

    def __init__(self, *args, validate_entry=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.validate_entry = validate_entry

    first_name = serializers.CharField(**TEXT)
    last_name = serializers.CharField(**TEXT)
    number = serializers.CharField(**TEXT)
    internalId = serializers.CharField(source="internal_id", **TEXT)
    contact_information = EntryContactSerializer(required=False)
    timestamp = serializers.CharField(required=False, allow_blank=True, write_only=True)

    def get_fields(self):
        fields = super().get_fields()
        # Wire names with hyphens cannot be Python attribute names.
        fields["first-name"] = fields.pop("first_name")
        fields["first-name"].source = "first_name"
        fields["last-name"] = fields.pop("last_name")
        fields["last-name"].source = "last_name"
        fields["contact-information"] = fields.pop("contact_information")
        fields["contact-information"].source = "contact_information"
        return fields

    def validate(self, attrs):
        # The single-entry checks of B.3.6 (NUL in an address is refused by AddressField, like every channel's
        # storable-text check). The blank rule is the one the OpenAPI description states (NOT_BLANK_PATTERN).
        if self.validate_entry:
            if any(is_blank(attrs.get(k)) for k in ("first_name", "last_name", "number")):
                raise serializers.ValidationError("First Name / Last Name / Number cannot be Null")
            email = (attrs.get("contact_information") or {}).get("email_address")
            if email and not EMAIL.match(email):
                raise serializers.ValidationError("Invalid Email Address")
        return attrs

    def entry_data(self) -> dict:
        """The validated body as `services.ENTRY_FIELDS` values."""
        data = dict(self.validated_data)
        contact = data.pop("contact_information", None) or {}
        contact.pop("useBranchAddress", None)
        contact.pop("avatar", None)
        data.pop("timestamp", None)
        return {**data, **contact}


class PhonebookBodySerializer(StrictSerializer):
    """POST /my/phonebook: `<phonebook><entry/>...</phonebook>` (B.3.5), entries taken as they are."""

    entry = RepeatedField(child=serializers.DictField(), required=False, max_length=MAX_ENTRIES_PER_POST)

    def validate_entry(self, entries):
        clean = []
        for i, item in enumerate(entries):
            serializer = EntrySerializer(data=item, validate_entry=False)
            if not serializer.is_valid():
                raise serializers.ValidationError(f"entry {i + 1}: {sentence(serializer.errors)}")
            clean.append(serializer.entry_data())
        return clean

    def entries(self) -> list[dict]:
        """The validated entries as `services.ENTRY_FIELDS` values."""
        return self.validated_data.get("entry") or []


# ---- streamed lists ----------------------------------------------------------------------------------


def xstream_list(root: str, item: str, values: Iterable[dict], fmt: str) -> Iterator[bytes]:
    """The XStream XML (`fmt="xml"`) or JSON layout of `Document(root, XList(item, values))`, streamed."""

    def xml():
        first = True
        for value in values:
            out: list[str] = []
            _xml_lines(item, value, 1, out)
            yield (f"<{root}>\n" if first else "\n") + "\n".join(out)
            first = False
        yield f"<{root}/>" if first else f"\n</{root}>"

    def json():
        first = True
        for value in values:
            yield ("{" + _json_string(root) + ": [\n" if first else ",\n") + "  " + _json_value(value, 1)
            first = False
        yield "{" + _json_string(root) + ": []}" if first else "\n]}"

    return csvcells.batched(xml() if fmt == "xml" else json())


def merged_view(rows: Iterable[MergedRow], fmt: str, request=None) -> Iterator[bytes]:
    """GET /my/phonebook (B.3.5) in XML or JSON: the caller's whole merged view, streamed."""
    return xstream_list(PHONEBOOK_ROOT, "entry", (row_wire(row, request) for row in rows), fmt)


CSV_HEADER = ("First name", "Last name", "Number")


def csv_phonebook(chunks: Iterable[list[tuple[str, str, str]]]) -> Iterator[bytes]:
    """B.2.2 CSV from chunks of (last, first, number): one byte chunk per chunk (the 100,000-row path), written
    by the one CSV writer (`sipxweb.csvcells`: quoting and formula neutralisation)."""
    return csvcells.stream_chunks(CSV_HEADER, ([(f, la, n) for la, f, n in rows] for rows in chunks))


_TEXT = xmltext.TEXT
_ATTR = xmltext.table('&<"')  # the DOM serializer left ">" alone in attribute values
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _dom_element(name: str, text) -> str:
    text = "" if text is None else str(text)
    return f"<{name}/>" if not text else f"<{name}>{text.translate(_TEXT)}</{name}>"


def dom_phonebook(chunks: Iterable[list[tuple[str, str, str]]]) -> Iterator[bytes]:
    """B.2.2 XML from chunks of (last, first, number)."""
    first = True
    for rows in chunks:
        text = "".join(
            "<entry>"
            + _dom_element("first-name", f)
            + _dom_element("last-name", la)
            + _dom_element("number", n)
            + "</entry>"
            for la, f, n in rows
        )
        if text:
            yield ((DECLARATION + "<phonebook>") if first else "").encode("utf-8") + text.encode("utf-8")
            first = False
    yield (DECLARATION + "<phonebook/>" if first else "</phonebook>").encode("utf-8")


def dom_phonebooks(names: Iterable[str]) -> str:
    """B.2.1: `<phonebooks><phonebook name="..."/>...</phonebooks>`."""
    items = "".join(f'<phonebook name="{name.translate(_ATTR)}"/>' for name in names)
    return DECLARATION + (f"<phonebooks>{items}</phonebooks>" if items else "<phonebooks/>")
