"""Wire forms of the user resources (sipXconfig 4.6 names and field order, docs/compatibility.md B.3.3, B.3.9, B.3.12).

Serializers validate input strictly (unknown fields → 400) and produce dicts in wire order; the
renderers in sipxweb.rest turn those into XStream's exact bytes."""

from rest_framework import serializers

from apps.users import addressbook, services
from apps.users.avatar import avatar_url
from apps.users.models import Ring, UserProfile
from sipxweb.rest.fields import AddressField, StrictSerializer, XListField

TEXT = {"required": False, "allow_null": True, "allow_blank": True, "max_length": 255}
# The XStream root aliases of the documents below.
LOGIN_DETAILS_ROOT = "login-details"
CONTACT_INFORMATION_ROOT = "contact-information"
CALL_SEQUENCE_ROOT = "call-sequence"


class LoginDetailsSerializer(serializers.Serializer):
    """B.3.12 (4.6): userName, imId (lower-cased), ldapImAuth, sipPassword."""

    userName = serializers.CharField(source="username")
    imId = serializers.SerializerMethodField()
    ldapImAuth = serializers.SerializerMethodField()
    sipPassword = serializers.SerializerMethodField()

    def get_imId(self, user):
        return user.im_id.lower() or None

    def get_ldapImAuth(self, user):
        return False  # sipxweb has no LDAP IM authentication

    def get_sipPassword(self, user):
        return user.sip_password or None


class RingSerializer(StrictSerializer):
    expiration = serializers.IntegerField(required=False, default=30, min_value=1, max_value=999)
    type = serializers.ChoiceField(choices=Ring.Type.values, required=False, default=Ring.Type.DELAYED)
    enabled = serializers.BooleanField(required=False, default=False)
    number = serializers.CharField(max_length=255, trim_whitespace=True)


class CallSequenceSerializer(StrictSerializer):
    """B.3.3: the ring list, the forward timer (`expiration`) and `withVoicemail` (output only)."""

    # The service's bound, counted before any ring is validated and refused with the service's sentence.
    rings = XListField(
        child=RingSerializer(), item="ring", max_length=services.MAX_RINGS, count_message=services.ring_count_problem
    )
    expiration = serializers.IntegerField(source="call_forward_timer", required=False, min_value=1, max_value=999)
    withVoicemail = serializers.BooleanField(source="perm_voicemail", read_only=True)

    def to_representation(self, user):
        data = super().to_representation(user)
        return {"rings": data["rings"], "expiration": data["expiration"], "withVoicemail": data["withVoicemail"]}

    def forwarding(self) -> tuple[int | None, list[services.RingData]]:
        """The validated body as services.set_forwarding takes it: the timer (None: unchanged) and the rings."""
        data = self.validated_data
        return data.get("call_forward_timer"), [services.RingData(**ring) for ring in data["rings"]]


class BlankAsNullCharField(serializers.CharField):
    """The user record keeps "" for "no name"; the wire omits it like sipXconfig's null."""

    def to_representation(self, value):
        return value or None


class AddressBookSerializer(StrictSerializer):
    """The address-book fields of `apps.users.addressbook.FIELDS` in their wire order: those of a phonebook entry
    (`record = "entry"`, B.5.2) or of a user profile (`"profile"`, B.3.9). A subclass replaces one by declaring a
    field of the same wire name (it keeps the table's place) and adds its own fields after them."""

    record = "entry"
    email_field = serializers.CharField  # B.3.9 checks the e-mail form; entries take any text (B.3.6 checks later)

    def get_fields(self):
        declared = super().get_fields()
        fields = {}
        for field in addressbook.FIELDS:
            if field.wire in declared:
                fields[field.wire] = declared.pop(field.wire)
            elif getattr(field, self.record):
                fields[field.wire] = self.table_field(field)
        fields.update(declared)
        return fields

    def table_field(self, field: addressbook.ContactField) -> serializers.Field:
        # DRF refuses a `source` equal to the field's name (`location`, `manager`).
        source = {} if field.model == field.wire else {"source": field.model}
        if field.kind == addressbook.ADDRESS:
            return AddressField(required=False, **source)
        if field.kind == addressbook.BOOL:
            return serializers.BooleanField(required=False, **source)
        if field.kind == addressbook.SALUTATION:
            return serializers.ChoiceField(choices=UserProfile.Salutation.values, required=False, **source)
        if field.kind == addressbook.EMAIL:
            return self.email_field(**TEXT, **source)
        return serializers.CharField(**TEXT, **source)


class ContactInformationSerializer(AddressBookSerializer):
    """B.3.9, 4.6 field order: the profile's address-book fields (the IM id and display name come from the user),
    then the fields below. Instance: a UserProfile with its user. On PUT every profile field absent from the body
    is cleared, except the ones sipXconfig kept (read-only here)."""

    record = "profile"
    email_field = serializers.EmailField

    imId = serializers.SerializerMethodField()
    imDisplayName = serializers.CharField(source="user.im_display_name", read_only=True)
    manager = serializers.CharField(read_only=True)
    salutation = serializers.CharField(read_only=True)
    employeeId = serializers.CharField(source="employee_id", read_only=True)
    timestamp = serializers.IntegerField(read_only=True)
    avatar = serializers.SerializerMethodField()
    enabled = serializers.BooleanField(source="user.is_active", read_only=True)
    ldapManaged = serializers.SerializerMethodField()
    lastImportedDate = serializers.SerializerMethodField()
    disabledDate = serializers.SerializerMethodField()
    firstName = BlankAsNullCharField(
        source="user.first_name", required=False, allow_blank=True, allow_null=True, max_length=255
    )
    lastName = BlankAsNullCharField(
        source="user.last_name", required=False, allow_blank=True, allow_null=True, max_length=255
    )

    def get_imId(self, profile):
        user = profile.user
        if not user.im_id:
            return None
        return user.im_id if user.im_enabled else ""

    def get_avatar(self, profile):
        return avatar_url(profile.user, self.context.get("request"))

    def get_ldapManaged(self, profile):
        return False

    def get_lastImportedDate(self, profile):
        return None

    def get_disabledDate(self, profile):
        return None

    @staticmethod
    def writable_profile_fields() -> list[str]:
        """Model fields a PUT replaces (absent → cleared); the others are kept as sipXconfig did."""
        keep = {"manager", "salutation", "employee_id", "timestamp", "user", "id"}
        return [f.name for f in UserProfile._meta.concrete_fields if f.name not in keep]
