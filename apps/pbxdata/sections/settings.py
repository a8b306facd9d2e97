"""`settings`: PBX-wide settings: the "everyone" phonebook and the default Google domain of phonebook imports
(apps.phonebooks.models.PhonebookSettings). Export omits the section while both are at their defaults."""

from apps.pbxdata.schema import boolean, obj, text
from apps.phonebooks.models import PhonebookSettings

_check = obj({"phonebookEveryone": (boolean, False), "googleDomain": (text(nullable=True), None)})


def validate(value, path):
    return _check(value, path)


def clear():
    PhonebookSettings.objects.all().delete()


def load(value, ctx):
    PhonebookSettings.objects.update_or_create(
        pk=1, defaults={"everyone": value["phonebookEveryone"], "google_domain": value["googleDomain"]}
    )


def dump():
    row = PhonebookSettings.objects.filter(pk=1).first()
    if row is None or (not row.everyone and row.google_domain is None):
        return None
    return {"phonebookEveryone": row.everyone, "googleDomain": row.google_domain}
