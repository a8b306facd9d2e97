"""Auto-attendant rules shared by REST, HTML and the PBX data file: saving an attendant with its menu, menu
validation, name resolution (D12) and the special-mode state machine (D11)."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode

EXTENSION = re.compile(r"^[0-9*#+]{1,32}$")
SIP_URI = re.compile(r"^sips?:[^@\s]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$")
NEEDS_PARAMETER = {
    MenuItem.Action.VOICEMAIL_DEPOSIT: "an extension",
    MenuItem.Action.TRANSFER_TO_AA: "an attendant",
    MenuItem.Action.TRANSFER_OUT: "an extension or SIP URI",
}


class MenuError(ValidationError):
    """A refused menu row: `field` is key, action or parameter; `index` the row's position in the menu given
    (set by set_menu), so that the data file can name the path."""

    def __init__(self, message: str, field: str, index: int | None = None):
        super().__init__(message)
        self.field, self.index = field, index


def _is_user(name: str) -> bool:
    from apps.users.credentials import find_login

    return find_login(name) is not None


def validate_menu_item(key: str, action: str, parameter: str, attendant_names: set[str] | None = None) -> None:
    """Raises ValidationError with a sentence when the key, the action or its parameter is wrong."""
    if key not in MenuItem.Key.values:
        raise MenuError(f'key "{key}" is not one of 0-9, *, #.', "key")
    if action not in MenuItem.Action.values:
        raise MenuError(f'action "{action}" is not one of {", ".join(MenuItem.Action.values)}.', "action")
    parameter = (parameter or "").strip()
    if action not in NEEDS_PARAMETER:
        if parameter:
            raise MenuError(f"key {key}: action {action} takes no parameter.", "parameter")
        return
    if not parameter:
        raise MenuError(f"key {key}: action {action} needs {NEEDS_PARAMETER[action]}.", "parameter")
    if action == MenuItem.Action.TRANSFER_TO_AA:
        names = (
            attendant_names
            if attendant_names is not None
            else set(AutoAttendant.objects.values_list("name", flat=True))
        )
        if parameter not in names:
            raise MenuError(f'key {key}: there is no attendant "{parameter}".', "parameter")
    elif action == MenuItem.Action.VOICEMAIL_DEPOSIT:
        if not _is_user(parameter):
            raise MenuError(f'key {key}: "{parameter}" is not the extension of a user with a mailbox.', "parameter")
    elif not (EXTENSION.match(parameter) or SIP_URI.match(parameter) or _is_user(parameter)):
        raise MenuError(
            f'key {key}: "{parameter}" is neither an extension, a user nor a SIP URI (sip:user@host).', "parameter"
        )


@transaction.atomic
def set_menu(attendant: AutoAttendant, items: list[tuple[str, str, str]]) -> None:
    """Replaces the menu with (key, action, parameter) rows; keys must be unique. All or nothing."""
    seen = set()
    names = set(AutoAttendant.objects.values_list("name", flat=True)) | {attendant.name}
    for index, (key, action, parameter) in enumerate(items):
        try:
            if key in seen:
                raise MenuError(f"key {key} is used twice.", "key")
            seen.add(key)
            validate_menu_item(key, action, parameter, names)
        except MenuError as exc:
            exc.index = index
            raise
    attendant.menu.all().delete()
    MenuItem.objects.bulk_create(
        [MenuItem(attendant=attendant, key=k, action=a, parameter=(p or "").strip()) for k, a, p in items]
    )


@transaction.atomic
def save_attendant(attendant: AutoAttendant, menu: list[tuple[str, str, str]] | None = None) -> AutoAttendant:
    """Checks the attendant's fields by the model's rules (as the editor's form does: name unique and not empty,
    language at most 16 characters, ...), saves it and, given a menu, replaces the menu with set_menu.
    Raises ValidationError (a field dict for the attendant's own fields, MenuError for the menu)."""
    attendant.full_clean()
    attendant.save()
    if menu is not None:
        set_menu(attendant, menu)
    return attendant


def resolve(name: str) -> AutoAttendant | None:
    """D12: a system id (`operator`, `afterhour`), `xcf<id>` with the real id, or the attendant's name."""
    found = AutoAttendant.objects.filter(system_id=name).first()
    if found is None and re.fullmatch(r"xcf\d{1,18}", name):
        found = AutoAttendant.objects.filter(pk=int(name[3:]), system_id__isnull=True).first()
    return found or AutoAttendant.objects.filter(name=name).first()


# ---- special mode (B.2.6, B.2.7 with D11) ------------------------------------------------------------


class SpecialModeConflict(Exception):
    """The selection cannot be cleared while special mode is on (409)."""


@transaction.atomic
def special_mode_on() -> SpecialMode:
    """D11 (4.4 semantics): on; `afterhour` is selected only when nothing is."""
    mode = SpecialMode.objects.select_for_update().get_or_create(pk=1)[0]
    mode.enabled = True
    if mode.attendant_id is None:
        mode.attendant = AutoAttendant.objects.filter(system_id=AutoAttendant.SystemId.AFTERHOUR).first()
    mode.save()
    return mode


@transaction.atomic
def special_mode_off() -> SpecialMode:
    """D11: off, and the selection is kept."""
    mode = SpecialMode.objects.select_for_update().get_or_create(pk=1)[0]
    mode.enabled = False
    mode.save(update_fields=["enabled"])
    return mode


@transaction.atomic
def select_special(attendant: AutoAttendant) -> SpecialMode:
    mode = SpecialMode.objects.select_for_update().get_or_create(pk=1)[0]
    mode.attendant = attendant
    mode.save(update_fields=["attendant"])
    return mode


@transaction.atomic
def clear_special() -> SpecialMode:
    """B.2.7 DELETE: 409 while special mode is on; otherwise no attendant is selected."""
    mode = SpecialMode.objects.select_for_update().get_or_create(pk=1)[0]
    if mode.enabled:
        raise SpecialModeConflict("Special mode is on: turn it off before clearing the special attendant.")
    mode.attendant = None
    mode.save(update_fields=["attendant"])
    return mode


def delete_attendant(attendant: AutoAttendant) -> None:
    if attendant.is_system:
        raise ValidationError(
            f'"{attendant.name}" is a system attendant ({attendant.system_id}) and cannot be deleted.'
        )
    mode = SpecialMode.current()
    if mode.enabled and mode.attendant_id == attendant.pk:
        raise ValidationError(f'"{attendant.name}" answers calls in special mode now: turn special mode off first.')
    attendant.delete()
