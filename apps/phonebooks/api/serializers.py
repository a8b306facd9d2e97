"""Wire forms of phonebook entries (docs/compatibility.md B.3.5-B.3.8, B.5.1, B.5.2): output dicts in wire order,
and the strict input serializers of `/my/phonebook` and `/my/phonebook/entry/{id}`.

Wire choices where the original is silent: an address is written only when one of its keys is set (the
spec's samples show none for entries without addresses); `useBranchAddress` is never written; a name that is
not set is omitted (XStream's null); user-derived entries carry the user's contact information and the avatar
URL of A.3, file and private entries carry no avatar."""

from rest_framework import serializers

from apps.phonebooks.readmodel import USER, MergedRow
from apps.users import addressbook
from apps.users.api.serializers import AddressBookSerializer
from apps.users.avatar import avatar_url
from apps.users.models import User
from sipxweb.rest.errors import sentence
from sipxweb.rest.fields import RepeatedField, StrictSerializer
from sipxweb.text import EMAIL, is_blank

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
