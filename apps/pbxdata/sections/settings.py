"""`settings`: PBX-wide settings. `phonebookEveryone` and `googleDomain` belong to the phonebooks, which
this sipxweb version does not store yet: only their defaults are accepted (a value must not be dropped
silently), and export omits the section."""

from apps.pbxdata.schema import PbxDataError, boolean, obj, text

_check = obj({"phonebookEveryone": (boolean, False), "googleDomain": (text(nullable=True), None)})


def validate(value, path):
    cleaned = _check(value, path)
    if cleaned["phonebookEveryone"]:
        raise PbxDataError(f"{path}.phonebookEveryone", "this sipxweb version does not import phonebook settings yet")
    if cleaned["googleDomain"] is not None:
        raise PbxDataError(f"{path}.googleDomain", "this sipxweb version does not import phonebook settings yet")
    return cleaned


def clear():
    pass


def load(value, ctx):
    pass


def dump():
    return None
