"""Phonebooks (docs/compatibility.md B.2.1, B.2.2, B.3.5-B.3.8, B.5.1): shared phonebooks with member and consumer
groups and
their imported file entries, each user's private phonebook, and the PBX-wide phonebook settings.

Entries of shared and private phonebooks live in one table (`PhonebookEntry`, exactly one of `phonebook` and
`private_phonebook` set) so the merged view of a user is one SQL query over one table plus the users table.
Two precomputed columns make that query cheap at 100,000 rows:

* `sort_key` = number, first name, last name joined by U+0001, so ordering by the key is ordering by
  (number, first, last) in plain string order (the merged view's order, B.3.5) and equality is the
  de-duplication of `number_first_last`. On PostgreSQL the column uses the "C" collation (byte order =
  plain string order; SQLite's default BINARY is the same), set by migration 0002.
* `EntryWord` rows: the lower-case words of first name, last name and number (and each whole field), indexed,
  for the prefix search of B.3.8 as an index range scan instead of a scan of every entry."""

import re

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.users.models import AddressBookFields, User, UserGroup

SEP = "\x01"
WORD_SPLIT = re.compile(r"[^\w]+", re.UNICODE)


def make_sort_key(number: str, first: str, last: str) -> str:
    return f"{number or ''}{SEP}{first or ''}{SEP}{last or ''}"


def words_of(*fields: str) -> set[str]:
    """The search words of an entry: each whole field lower-cased, and its alphanumeric parts."""
    words = set()
    for field in fields:
        text = (field or "").strip().lower()
        if not text:
            continue
        words.add(text[:100])
        words.update(part[:100] for part in WORD_SPLIT.split(text) if part)
    return words


class PhonebookSettings(models.Model):
    """The PBX-wide phonebook settings (one row, pk 1): the "everyone" phonebook (every user sees all other
    users) and the default Google domain offered for imports (`google-domain` of B.3.7)."""

    everyone = models.BooleanField(
        _("everyone phonebook"), default=False, help_text=_("Every user sees all other users in their phonebook.")
    )
    google_domain = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = _("phonebook settings")

    def __str__(self):
        return "phonebook settings"

    def get_absolute_url(self):
        return reverse("phonebooks:settings")

    @classmethod
    def load(cls) -> "PhonebookSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Phonebook(models.Model):
    """A shared phonebook: the users of its member groups plus the entries imported into it, seen by the
    users of its consumer groups."""

    name = models.CharField(max_length=255, unique=True)
    description = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(UserGroup, blank=True, related_name="member_phonebooks")
    consumers = models.ManyToManyField(UserGroup, blank=True, related_name="consumer_phonebooks")
    # Distinct (number, first, last) keys among the file entries, kept by services.add_entries (the only writer
    # of file entries): the merged view's size then needs no scan of a large phonebook.
    key_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("phonebooks:phonebook_detail", args=[self.pk])


class PrivatePhonebook(models.Model):
    """A user's own phonebook, created on demand (sipXconfig's `privatePhonebook_<userId>`)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="private_phonebook")
    show_on_phone = models.BooleanField(default=True, help_text=_("Phones show these entries in their directory."))

    class Meta:
        ordering = ["user"]

    def __str__(self):
        return f"private phonebook of {self.user}"

    def get_absolute_url(self):
        return reverse("portal-phonebook:phonebook")


class PhonebookEntry(AddressBookFields):
    """An entry of a shared phonebook (imported from a file) or of a private phonebook (B.5.1), with the
    address-book fields of B.5.2. Names and number are stored as text ("" = not set)."""

    phonebook = models.ForeignKey(Phonebook, null=True, blank=True, on_delete=models.CASCADE, related_name="entries")
    private_phonebook = models.ForeignKey(
        PrivatePhonebook, null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    number = models.CharField(max_length=255)
    internal_id = models.CharField(_("internal id"), max_length=255, null=True, blank=True)
    im_id = models.CharField(_("IM id"), max_length=255, null=True, blank=True)
    im_display_name = models.CharField(_("IM display name"), max_length=255, null=True, blank=True)
    timestamp = models.BigIntegerField(null=True, blank=True)
    sort_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["sort_key", "id"]
        verbose_name_plural = _("phonebook entries")
        indexes = [
            models.Index(fields=["phonebook", "sort_key"], name="pbentry_book_key"),
            models.Index(fields=["private_phonebook", "sort_key"], name="pbentry_private_key"),
            models.Index(fields=["phonebook", "last_name", "first_name", "number"], name="pbentry_book_lfn"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phonebook__isnull=True) ^ models.Q(private_phonebook__isnull=True),
                name="pbentry_one_owner",
            )
        ]

    def __str__(self):
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return f"{name} {self.number}".strip()

    def get_absolute_url(self):
        if self.private_phonebook_id:
            return reverse("portal-phonebook:entry_edit", args=[self.pk])
        return reverse("phonebooks:entry_edit", args=[self.phonebook_id, self.pk])

    def save(self, *args, **kwargs):
        self.sort_key = make_sort_key(self.number, self.first_name, self.last_name)
        super().save(*args, **kwargs)

    @property
    def search_words(self) -> set[str]:
        return words_of(self.first_name, self.last_name, self.number)


class EntryWord(models.Model):
    """One search word of an entry (see the module docstring). Written by `services`, never by hand."""

    entry = models.ForeignKey(PhonebookEntry, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=100, db_index=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word

    def get_absolute_url(self):
        return self.entry.get_absolute_url()
