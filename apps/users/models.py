"""PBX users: login names (user name, aliases, IM id) with their Digest credentials, groups, PINs,
the contact profile (sipXconfig 4.6 contact information) and call forwarding (the call sequence).

Wire names (`first-name`, `twiterName`, ...) never appear here: they live in `api/serializers.py`."""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.users import addressbook


def new_feed_key() -> str:
    """A fresh key for the `/private/{key}/...` URLs (32 hex characters, as sipXconfig's)."""
    return secrets.token_hex(16)


class UserGroup(models.Model):
    """A group of users (sipXconfig user group): phonebooks name groups as members and consumers."""

    name = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("users:group_edit", args=[self.pk])


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(username=username)

    def create_user(self, username, pin=None, **fields):
        """Creates a user with its login names; `pin` is the portal PIN in clear (hashed here). Django's own
        commands (createsuperuser) call it `password`: it is the PIN too, never a stored value (D6)."""
        from apps.users.services import create_user

        if pin is None and "password" in fields:
            pin = fields.pop("password")
        return create_user(username=username, pin=pin, **fields)

    def create_superuser(self, username, pin=None, **fields):
        fields["is_admin"] = True
        return self.create_user(username, pin=pin, **fields)


class User(AbstractBaseUser):
    """A PBX user. `password` holds the portal PIN hashed with Django's hasher (D6); Digest uses the
    per-login-name HA1 in `LoginName`. The SIP password stays recoverable: phones and
    `/my/logindetails` need it in clear, so it is kept out of logs and pages instead."""

    username = models.CharField(_("user name"), max_length=255, unique=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(_("enabled"), default=True)
    is_admin = models.BooleanField(_("administrator"), default=False, help_text=_("May use every admin page and URI."))
    perm_voicemail = models.BooleanField(_("voicemail"), default=True, help_text=_("Unanswered calls go to voicemail."))
    perm_attendant_admin = models.BooleanField(
        _("attendant admin"), default=False, help_text=_("May change auto-attendant special mode.")
    )
    groups = models.ManyToManyField(UserGroup, blank=True, related_name="users")
    voicemail_pin_hash = models.CharField(max_length=255, blank=True)
    sip_password = models.CharField(_("SIP password"), max_length=255, blank=True)
    im_id = models.CharField(_("IM id"), max_length=255, blank=True)
    im_enabled = models.BooleanField(_("IM enabled"), default=False)
    im_display_name = models.CharField(_("IM display name"), max_length=255, blank=True, null=True)
    feed_key = models.CharField(max_length=32, unique=True, default=new_feed_key)
    call_forward_timer = models.PositiveSmallIntegerField(
        _("ring my phones for (s)"),
        default=20,
        help_text=_("How long your own phones ring before the ring list starts."),
    )
    date_joined = models.DateTimeField(auto_now_add=True)
    # The zone the user's pages show times in and their away periods are written in ("": settings.TIME_ZONE).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    # The language of the user's pages: a code of settings.LANGUAGES, or "": the browser's (Accept-Language).
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    # The one-click switches (apps/users/availability.py): do not disturb, forward every call to a number, both until
    # `availability_until` when set (past it they read as off: decided when read, nothing rewrites them).
    dnd = models.BooleanField(_("do not disturb"), default=False)
    forward_all = models.CharField(_("forward all calls to"), max_length=255, null=True, blank=True)
    availability_until = models.DateTimeField(_("until"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    def get_absolute_url(self):
        return reverse("users:user_edit", args=[self.pk])

    # Django's auth machinery (login, admin-only views) reads these.
    @property
    def is_staff(self):
        return self.is_admin

    @property
    def is_superuser(self):
        return self.is_admin

    def has_perm(self, perm, obj=None):
        return self.is_active and self.is_admin

    def has_module_perms(self, app_label):
        return self.is_active and self.is_admin

    @property
    def display_name(self) -> str:
        """ "First Last", or the user name when no name is set (sipXconfig's label)."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.username

    @property
    def aliases(self) -> list[str]:
        """Alias names in their stored order (uses the prefetch cache when present)."""
        return [n.name for n in self.login_names.all() if n.kind == LoginName.Kind.ALIAS]

    @property
    def zone_name(self) -> str:
        """The user's time zone name (settings.TIME_ZONE when they chose none)."""
        from django.conf import settings

        return self.time_zone or settings.TIME_ZONE

    @property
    def permission_names(self) -> list[str]:
        """The permissions as docs/pbx-data.md names."""
        names = []
        if self.perm_voicemail:
            names.append("voicemail")
        if self.perm_attendant_admin:
            names.append("attendant-admin")
        return names


class LoginName(models.Model):
    """A name a user logs in with: the user name, an alias, or the IM id (only while IM is enabled).

    User names and aliases are unique across all users, case-insensitively (`folded` is the lower-case
    form, with a partial unique constraint); an IM id may repeat an alias of the same user.
    `digest_ha1` = MD5(name:realm:pin) for this exact name, so Digest works with every name without
    storing the PIN (D6). It is empty until the PIN is next set after the name was added."""

    class Kind(models.TextChoices):
        USERNAME = "username", _("user name")
        ALIAS = "alias", _("alias")
        IM = "im", _("IM id")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_names")
    name = models.CharField(max_length=255)
    folded = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest_ha1 = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["user", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["folded"], condition=~Q(kind="im"), name="unique_login_name_ci"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        self.folded = self.name.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.user.get_absolute_url()


class AddressBookFields(models.Model):
    """The address-book fields of a contact (docs/compatibility.md B.5.2; their wire names, CSV columns and vCard
    properties are in `addressbook.FIELDS`). None means "not set" (omitted on the wire); an empty string is a value.
    Addresses are dicts with the keys of `ADDRESS_KEYS`."""

    ADDRESS_KEYS = addressbook.ADDRESS_KEYS

    job_title = models.CharField(_("job title"), max_length=255, null=True, blank=True)
    job_dept = models.CharField(_("department"), max_length=255, null=True, blank=True)
    company_name = models.CharField(_("company name"), max_length=255, null=True, blank=True)
    assistant_name = models.CharField(_("assistant name"), max_length=255, null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, null=True, blank=True)
    home_address = models.JSONField(default=dict, blank=True)
    office_address = models.JSONField(default=dict, blank=True)
    branch_address = models.JSONField(default=dict, blank=True)
    cell_phone_number = models.CharField(_("cell phone number"), max_length=255, null=True, blank=True)
    home_phone_number = models.CharField(_("home phone number"), max_length=255, null=True, blank=True)
    assistant_phone_number = models.CharField(_("assistant phone number"), max_length=255, null=True, blank=True)
    fax_number = models.CharField(_("fax number"), max_length=255, null=True, blank=True)
    did_number = models.CharField(_("DID number"), max_length=255, null=True, blank=True)
    alternate_im_id = models.CharField(_("alternate IM id"), max_length=255, null=True, blank=True)
    email_address = models.CharField(_("e-mail"), max_length=255, null=True, blank=True)
    alternate_email_address = models.CharField(_("alternate e-mail"), max_length=255, null=True, blank=True)
    use_branch_address = models.BooleanField(_("use branch address"), default=False)

    class Meta:
        abstract = True


class UserProfile(AddressBookFields):
    """A user's contact information (sipXconfig 4.6 user profile, docs/compatibility.md B.3.9). The IM id and IM display
    name live on `User` (they are also login data); `enabled` is `User.is_active`."""

    class Salutation(models.TextChoices):
        NONE = "None", pgettext_lazy("salutation", "None")
        MR = "Mr", _("Mr")
        MRS = "Mrs", _("Mrs")
        MISS = "Miss", _("Miss")
        MS = "Ms", _("Ms")
        DR = "Dr", _("Dr")
        PROF = "Prof", _("Prof")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    branch_name = models.CharField(_("branch name"), max_length=255, null=True, blank=True)
    manager = models.CharField(_("manager"), max_length=255, null=True, blank=True)
    salutation = models.CharField(max_length=8, choices=Salutation.choices, default=Salutation.NONE)
    employee_id = models.CharField(_("employee id"), max_length=255, null=True, blank=True)
    twiter_name = models.CharField(_("Twitter name"), max_length=255, null=True, blank=True)
    linkedin_name = models.CharField(_("LinkedIn name"), max_length=255, null=True, blank=True)
    facebook_name = models.CharField(_("Facebook name"), max_length=255, null=True, blank=True)
    xing_name = models.CharField(_("Xing name"), max_length=255, null=True, blank=True)
    # Milliseconds since the epoch of the last change (sipXconfig's profile timestamp; 0 = never).
    timestamp = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"contact information of {self.user}"

    def get_absolute_url(self):
        return reverse("portal:contact")


class Ring(models.Model):
    """One stage of a user's call forwarding (sipXconfig "ring"); `position` keeps the list's order."""

    class Type(models.TextChoices):
        DELAYED = "If no response", _("If no response")
        PARALLEL = "At the same time", _("At the same time")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="rings")
    position = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(max_length=255, help_text=_("Extension, phone number or SIP address."))
    expiration = models.PositiveSmallIntegerField(default=30, help_text=_("Seconds this stage rings."))
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.DELAYED)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "position", "id"]

    def __str__(self):
        return f"{self.user}: {self.number}"

    def get_absolute_url(self):
        return reverse("portal:forward")


class ApiToken(models.Model):
    """A named credential for the admin JSON API (`Authorization: Bearer <token>`), acting as its user: an admin's
    token reaches /api/v1/, any user's their own /my data. Only the SHA-256 of the token is stored (a token is 256
    random bits, so a fast hash cannot be guessed back); `prefix` is its first characters, to tell tokens apart."""

    class Scope(models.TextChoices):
        READ = "read", _("read only")
        WRITE = "write", _("read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.user})"

    def get_absolute_url(self):
        return reverse("users:token_list")

    @property
    def writable(self) -> bool:
        return self.scope == self.Scope.WRITE


class AwayPeriod(models.Model):
    """A period a user is away (apps/users/availability.py holds its rules): from `start` to `end`, wall-clock times
    in `time_zone`, once or weekly (the same local times every week, through `repeat_until` when set). During it
    calls go to `forward_to`, or to voicemail when that is empty, and the voicemail plays `greeting`."""

    class Greeting(models.TextChoices):
        # the values of apps.voicemail's greeting kinds
        OUT_OF_OFFICE = "outofoffice", _("Out of office")
        EXTENDED_ABSENCE = "extendedabsence", _("Extended absence")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="away_periods")
    start = models.DateTimeField(help_text=_("The wall-clock time in time_zone, stored as if it were UTC."))
    end = models.DateTimeField(help_text=_("The wall-clock time in time_zone, stored as if it were UTC."))
    time_zone = models.CharField(max_length=64)
    weekly = models.BooleanField(default=False)
    repeat_until = models.DateField(null=True, blank=True)
    forward_to = models.CharField(max_length=255, null=True, blank=True)
    greeting = models.CharField(max_length=20, choices=Greeting.choices, default=Greeting.OUT_OF_OFFICE)

    class Meta:
        ordering = ["user", "start", "id"]

    def __str__(self):
        return f"{self.user}: away {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("portal:away_list")
