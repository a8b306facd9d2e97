"""Phone provisioning (docs/provisioning.md): the installation's provisioning credential, the per-phone record of
what each file was and when it was fetched, the unknown phones that asked, the uploaded firmware, and the change
counters that tell a poll whether a file may have changed.

The files themselves are not stored: they are built from the phones, their lines' users, the phonebooks and the
settings whenever those changed (`files.py`)."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.phones.catalogue import MODEL_CHOICES
from apps.phones.models import Phone

DEFAULT_USER = "provisioning"


def new_password() -> str:
    return secrets.token_urlsafe(12)


class ProvisioningSettings(models.Model):
    """One row (pk 1): the credential every phone fetches its files with (HTTP Basic or Digest, realm SIPX_REALM).

    The password is kept in clear, as the users' SIP passwords are: Digest needs MD5(user:realm:password) for the
    realm of the day, the phones are configured with it (DHCP option 66 URLs, the phonebook URLs written into
    their files), and the admin must be able to read it back. It never reaches a log."""

    user = models.CharField(_("user name"), max_length=64, default=DEFAULT_USER)
    password = models.CharField(max_length=255, default=new_password)

    class Meta:
        verbose_name_plural = _("provisioning settings")

    def __str__(self):
        return "provisioning settings"

    def get_absolute_url(self):
        return reverse("provisioning:credential")

    @classmethod
    def load(cls) -> "ProvisioningSettings":
        """The row; a new installation gets the default user name and a random password on first use."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Change(models.Model):
    """Counts of writes to the tables the files are built from, kept by database triggers only (`changes.py`):
    their sum changes whenever a file may have changed, and a poll compares it instead of building the file.
    SQLite keeps one row per table; PostgreSQL appends one row per statement (no row lock shared by concurrent
    writers) and folds them together now and then."""

    source = models.CharField(max_length=64, db_index=True)
    n = models.BigIntegerField()

    class Meta:
        ordering = ["source"]

    def __str__(self):
        return f"{self.source}: {self.n}"


class PhoneFile(models.Model):
    """One file of one phone as last served: its ETag and when its content last changed (answers a poll with 304
    without building it while `version` is current) and the last fetch (time, address, user agent) for the
    admin's phone page. One row per phone and file name, written with one upsert per fetch."""

    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, related_name="provisioned_files")
    name = models.CharField(max_length=64)
    version = models.CharField(max_length=64)
    etag = models.CharField(max_length=66)
    modified = models.DateTimeField()
    fetched = models.DateTimeField()
    address = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=255, blank=True)
    status = models.PositiveSmallIntegerField(help_text=_("The answer of the last fetch: 200 or 304."))

    class Meta:
        ordering = ["phone", "name"]
        constraints = [models.UniqueConstraint(fields=["phone", "name"], name="provisioning_one_row_per_file")]

    def __str__(self):
        return f"{self.phone} {self.name}"

    def get_absolute_url(self):
        return self.phone.get_absolute_url()


class UnknownPhone(models.Model):
    """A MAC address that asked for its files but belongs to no phone (newest first; at most
    PROVISIONING_UNKNOWN_MAX rows, the least recently seen go first). The admin may turn one into a phone: the
    file name tells the vendor, the user agent usually the model."""

    mac = models.CharField(_("MAC address"), max_length=12, unique=True)
    file_name = models.CharField(max_length=64, help_text=_("The file it asked for last."))
    address = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=255, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self):
        return self.mac


def firmware_path(instance: "Firmware", filename: str) -> str:
    return f"firmware/{instance.model}/{instance.version}/{filename}"


class Firmware(models.Model):
    """A firmware file the admin uploaded for a model and one of its catalogue versions: the files of that model's
    phones on that version name its URL (`/provision/firmware/<id>/<file name>`)."""

    model = models.CharField(max_length=64, choices=MODEL_CHOICES)
    version = models.CharField(_("firmware version"), max_length=32)
    file = models.FileField(upload_to=firmware_path, max_length=255)
    uploaded = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "version"]
        constraints = [models.UniqueConstraint(fields=["model", "version"], name="provisioning_one_firmware")]

    def __str__(self):
        return f"{self.model} {self.version}"

    def get_absolute_url(self):
        return reverse("provision:firmware", args=[self.pk, self.filename])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
