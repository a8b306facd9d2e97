"""`settings`: PBX-wide settings: the "everyone" phonebook and the default Google domain of phonebook imports
(apps.phonebooks.models.PhonebookSettings), written through apps.phonebooks.services as the settings page writes them
(the same audit entry). Export omits the section while both are at their defaults."""

from apps.pbxdata.schema import boolean, obj, text
from apps.phonebooks import services
from apps.phonebooks.models import PhonebookSettings

_check = obj({"phonebookEveryone": (boolean, False), "googleDomain": (text(nullable=True), None)})


def validate(value, path):
    return _check(value, path)


def clear():
    services.reset_settings()


def load(value, ctx):
    row = PhonebookSettings.load()  # as the settings page edits the stored row: an update, never a second row
    row.everyone, row.google_domain = value["phonebookEveryone"], value["googleDomain"]
    services.save_settings(row)


def dump():
    row = PhonebookSettings.objects.filter(pk=1).first()
    if row is None or (not row.everyone and row.google_domain is None):
        return None
    return {"phonebookEveryone": row.everyone, "googleDomain": row.google_domain}
