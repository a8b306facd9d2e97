"""Auto-attendant rules shared by REST, HTML, the admin JSON API and the PBX data file: saving attendants with
their menus and prompts, menu validation, name resolution (D12) and the special-mode state machine (D11). Every
change is recorded in the audit log here: an attendant under its name (kind "attendant"), the special mode as
kind and key "special-mode", a period of the special-mode schedule under its id (kind "special-mode-period"). Whether
special mode is on at an instant (the switch and the schedule together) is schedule.special_mode_at."""

import contextvars
import re
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from apps.attendants import schedule
from apps.attendants.models import AutoAttendant, MenuItem, SpecialMode, SpecialModePeriod
from apps.audit import services as audit
from sipxweb import transcode
from sipxweb.audio import NotAudio, inspect

EXTENSION = re.compile(r"^[0-9*#+]{1,32}$")
SIP_URI = re.compile(r"^sips?:[^@\s]+@[A-Za-z0-9.-]+(:\d{1,5})?(;[^\s]*)?$")
NEEDS_PARAMETER = {
    MenuItem.Action.VOICEMAIL_DEPOSIT: gettext_lazy("an extension"),
    MenuItem.Action.TRANSFER_TO_AA: gettext_lazy("an attendant"),
    MenuItem.Action.TRANSFER_OUT: gettext_lazy("an extension or SIP URI"),
}
PROMPT_EXTENSIONS = ["wav", "mp3"]
PROMPT_MAX_BYTES = 20 * 1024 * 1024

KIND = "attendant"
SPECIAL_KIND = SPECIAL_KEY = "special-mode"
# The attendant's own fields in the audit log (the menu is added as a list of its rows).
AUDITED_FIELDS = (
    "name",
    "system_id",
    "description",
    "prompt",
    "language",
    "digit_timeout",
    "max_invalid",
    "on_failure",
)


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
        raise MenuError(gettext('key "%(key)s" is not one of 0-9, *, #.') % {"key": key}, "key")
    if action not in MenuItem.Action.values:
        message = gettext('action "%(action)s" is not one of %(choices)s.')
        raise MenuError(message % {"action": action, "choices": ", ".join(MenuItem.Action.values)}, "action")
    parameter = (parameter or "").strip()
    if action not in NEEDS_PARAMETER:
        if parameter:
            message = gettext("key %(key)s: action %(action)s takes no parameter.")
            raise MenuError(message % {"key": key, "action": action}, "parameter")
        return
    if not parameter:
        message = gettext("key %(key)s: action %(action)s needs %(what)s.")
        raise MenuError(message % {"key": key, "action": action, "what": NEEDS_PARAMETER[action]}, "parameter")
    if action == MenuItem.Action.TRANSFER_TO_AA:
        names = (
            attendant_names
            if attendant_names is not None
            else set(AutoAttendant.objects.values_list("name", flat=True))
        )
        if parameter not in names:
            message = gettext('key %(key)s: there is no attendant "%(name)s".')
            raise MenuError(message % {"key": key, "name": parameter}, "parameter")
    elif action == MenuItem.Action.VOICEMAIL_DEPOSIT:
        if not _is_user(parameter):
            message = gettext('key %(key)s: "%(name)s" is not the extension of a user with a mailbox.')
            raise MenuError(message % {"key": key, "name": parameter}, "parameter")
    elif not (EXTENSION.match(parameter) or SIP_URI.match(parameter) or _is_user(parameter)):
        message = gettext('key %(key)s: "%(name)s" is neither an extension, a user nor a SIP URI (sip:user@host).')
        raise MenuError(message % {"key": key, "name": parameter}, "parameter")


class AttendantError(Exception):
    """A refused attendant of a batch (save_attendants): `item` is its index, `error` the ValidationError (a field
    dict from the model's rules, the prompt's check under "prompt", or a MenuError)."""

    def __init__(self, item: int, error: ValidationError):
        super().__init__(f"attendant {item}: {' '.join(error.messages)}")
        self.item, self.error = item, error


def check_prompt(upload) -> None:
    """A prompt file as every channel takes it (the editor, the admin JSON API): not empty, at most 20 MB, and a
    WAV or MP3 recording by its bytes (sipxweb.audio, as voicemail greetings), named for what it is: the stored
    name's extension is what the players and the media server go by."""
    FileExtensionValidator(PROMPT_EXTENSIONS)(upload)
    if not upload.size:
        raise ValidationError(gettext("The prompt file is empty."))
    if upload.size > PROMPT_MAX_BYTES:
        raise ValidationError(gettext("The prompt is larger than %(n)s MB.") % {"n": PROMPT_MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    data = upload.read(PROMPT_MAX_BYTES + 1)
    upload.seek(0)  # stored from the start afterwards
    try:
        found = inspect(data).format
    except NotAudio as exc:
        raise ValidationError(str(exc)) from None
    named = upload.name.rsplit(".", 1)[-1].lower()
    if found != named:
        message = gettext("The file holds %(found)s audio but is named .%(named)s: name it .%(extension)s.")
        raise ValidationError(message % {"found": found.upper(), "named": named, "extension": found})


def prompt_file(upload):
    """The prompt file to check and store: a recording made in the browser (WebM, Ogg, MP4: the editor's recorder, or
    any client) becomes a WAV file of the same name (sipxweb.transcode) within the prompt's limits; any other file is
    itself, for check_prompt to judge. ValidationError when a browser recording cannot be converted."""
    if not upload or not upload.size or upload.size > PROMPT_MAX_BYTES:
        return upload
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not transcode.is_browser_recording(head):
        return upload
    data = upload.read(PROMPT_MAX_BYTES + 1)
    upload.seek(0)
    try:
        wav = transcode.to_wav(data, PROMPT_MAX_BYTES)
    except NotAudio as exc:
        raise ValidationError(str(exc)) from None
    stem = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "prompt"
    return ContentFile(wav, name=f"{stem}.wav")


def menu_rows(items: Iterable[tuple[str, str, str]]) -> list[dict]:
    """A menu as the audit log keeps it: the data file's rows (`parameter` only when there is one)."""
    rows = [(k, a, (p or "").strip()) for k, a, p in items]
    return [{"key": k, "action": a, **({"parameter": p} if p else {})} for k, a, p in rows]


def _stored_menu(attendant: AutoAttendant) -> list[dict]:
    return menu_rows((m.key, m.action, m.parameter) for m in attendant.menu.all())


def audit_fields(attendant: AutoAttendant, menu: list[dict] | None) -> dict:
    """What the audit log keeps of an attendant: its fields (the prompt by its stored name) and its menu."""
    values = {name: getattr(attendant, name) for name in AUDITED_FIELDS}
    values["prompt"] = attendant.prompt.name or None
    if menu is not None:
        values["menu"] = menu
    return values


def _stored(ids: Sequence[int]) -> dict[int, dict]:
    """The audit fields of stored attendants, menus included, in two queries."""
    rows = AutoAttendant.objects.filter(pk__in=ids).prefetch_related("menu")
    return {a.pk: audit_fields(a, _stored_menu(a)) for a in rows}


# Inside save_attendants the batch records each attendant once, its menu included; set_menu then records nothing.
_batch_records: contextvars.ContextVar[bool] = contextvars.ContextVar("attendants_batch_records", default=False)


@transaction.atomic
def set_menu(attendant: AutoAttendant, items: list[tuple[str, str, str]]) -> None:
    """Replaces the menu with (key, action, parameter) rows; keys must be unique. All or nothing."""
    seen = set()
    names = set(AutoAttendant.objects.values_list("name", flat=True)) | {attendant.name}
    for index, (key, action, parameter) in enumerate(items):
        try:
            if key in seen:
                raise MenuError(gettext("key %(key)s is used twice.") % {"key": key}, "key")
            seen.add(key)
            validate_menu_item(key, action, parameter, names)
        except MenuError as exc:
            exc.index = index
            raise
    rows = [(k, a, (p or "").strip()) for k, a, p in items]
    before = None if _batch_records.get() else _stored_menu(attendant)
    attendant.menu.all().delete()
    MenuItem.objects.bulk_create([MenuItem(attendant=attendant, key=k, action=a, parameter=p) for k, a, p in rows])
    if before is not None:
        audit.record(KIND, attendant.name, {"menu": before}, {"menu": menu_rows(rows)})


def _check(attendant: AutoAttendant) -> None:
    """The model's rules (as the editor's form checks them: name unique, language at most 16 characters, ...), a
    name of more than blanks, and a newly uploaded prompt's file."""
    errors = {}
    try:
        attendant.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "name" not in errors and not attendant.name.strip():
        errors["name"] = [ValidationError(gettext("An attendant needs a name."))]
    if attendant.prompt and not attendant.prompt._committed and "prompt" not in errors:
        try:
            recorded = prompt_file(attendant.prompt)
            if recorded is not attendant.prompt:
                attendant.prompt = recorded
            check_prompt(attendant.prompt)
        except ValidationError as exc:
            errors["prompt"] = exc.error_list
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_attendants(
    batch: Sequence[tuple[AutoAttendant, list[tuple[str, str, str]] | None]], progress: Callable[[], None] | None = None
) -> list[AutoAttendant]:
    """Checks and saves each attendant of `batch` (with its prompt, when a new file was assigned), then replaces
    the menus given (None: the menu stays) with set_menu, so that a menu may name any attendant of the batch.
    All or nothing: the first refused attendant raises AttendantError. One audit entry per attendant."""
    before = _stored([a.pk for a, _ in batch if a.pk])
    olds = [before.get(a.pk) if a.pk else None for a, _ in batch]
    token = _batch_records.set(True)
    try:
        for item, (attendant, _) in enumerate(batch):
            try:
                _check(attendant)
            except ValidationError as exc:
                raise AttendantError(item, exc) from None
            attendant.save()
            if progress is not None:
                progress()
        for item, (attendant, menu) in enumerate(batch):
            if menu is not None:
                try:
                    set_menu(attendant, menu)
                except ValidationError as exc:
                    raise AttendantError(item, exc) from None
    finally:
        _batch_records.reset(token)
    audit.record_many(
        audit.Change(
            KIND,
            attendant.name,
            old,
            audit_fields(attendant, menu_rows(menu) if menu is not None else (old or {}).get("menu", [])),
        )
        for (attendant, menu), old in zip(batch, olds, strict=True)
    )
    return [attendant for attendant, _ in batch]


def save_attendant(attendant: AutoAttendant, menu: list[tuple[str, str, str]] | None = None) -> AutoAttendant:
    """save_attendants for one attendant (the editor page, the prompt of the admin JSON API). Raises
    ValidationError (a field dict for the attendant's own fields and its prompt, MenuError for the menu)."""
    try:
        return save_attendants([(attendant, menu)])[0]
    except AttendantError as exc:
        raise exc.error from None


def resolve(name: str) -> AutoAttendant | None:
    """D12: a system id (`operator`, `afterhour`), `xcf<id>` with the real id, or the attendant's name."""
    found = AutoAttendant.objects.filter(system_id=name).first()
    if found is None and re.fullmatch(r"xcf\d{1,18}", name):
        found = AutoAttendant.objects.filter(pk=int(name[3:]), system_id__isnull=True).first()
    return found or AutoAttendant.objects.filter(name=name).first()


# ---- special mode (B.2.6, B.2.7 with D11) ------------------------------------------------------------


class SpecialModeConflict(Exception):
    """The selection cannot be cleared while special mode is on (409), or (the page) special mode cannot be turned
    on with no attendant selected."""


def special_fields(mode: SpecialMode) -> dict:
    """What the audit log keeps of the special mode (the attendant by its name)."""
    return {"enabled": mode.enabled, "attendant": mode.attendant.name if mode.attendant_id else None}


def _locked_mode() -> tuple[SpecialMode, dict]:
    mode = SpecialMode.objects.select_for_update().get_or_create(pk=1)[0]
    return mode, special_fields(mode)


def _record_mode(mode: SpecialMode, before: dict) -> SpecialMode:
    audit.record(SPECIAL_KIND, SPECIAL_KEY, before, special_fields(mode))
    return mode


def _afterhour() -> AutoAttendant | None:
    return AutoAttendant.objects.filter(system_id=AutoAttendant.SystemId.AFTERHOUR).first()


NO_SPECIAL_ATTENDANT = "Select the special attendant first: it answers the calls while special mode is on."


@transaction.atomic
def special_mode_on(select_afterhour: bool = True) -> SpecialMode:
    """D11 (4.4 semantics): on; `afterhour` is selected only when nothing is. `select_afterhour=False` (the
    attendant page, where the administrator sees the choice) refuses instead, with SpecialModeConflict, rather
    than choosing silently; the sipXconfig URI keeps D11."""
    mode, before = _locked_mode()
    if mode.attendant_id is None and not select_afterhour:
        raise SpecialModeConflict(NO_SPECIAL_ATTENDANT)
    mode.enabled = True
    if mode.attendant_id is None:
        mode.attendant = _afterhour()
    mode.save()
    return _record_mode(mode, before)


@transaction.atomic
def special_mode_off() -> SpecialMode:
    """D11: off, and the selection is kept."""
    mode, before = _locked_mode()
    mode.enabled = False
    mode.save(update_fields=["enabled"])
    return _record_mode(mode, before)


@transaction.atomic
def select_special(attendant: AutoAttendant) -> SpecialMode:
    mode, before = _locked_mode()
    mode.attendant = attendant
    mode.save(update_fields=["attendant"])
    return _record_mode(mode, before)


@transaction.atomic
def clear_special() -> SpecialMode:
    """B.2.7 DELETE: 409 while special mode is on; otherwise no attendant is selected."""
    mode, before = _locked_mode()
    if mode.enabled:
        raise SpecialModeConflict("Special mode is on: turn it off before clearing the special attendant.")
    mode.attendant = None
    mode.save(update_fields=["attendant"])
    return _record_mode(mode, before)


@transaction.atomic
def set_special_mode(enabled: bool, attendant: AutoAttendant | None) -> SpecialMode:
    """The whole state at once (the admin JSON API's PUT, the data file), recorded as one change: the same as
    special_mode_off, then select_special (or clear_special), then special_mode_on when `enabled`; so on with
    nothing selected selects `afterhour` (D11)."""
    mode, before = _locked_mode()
    mode.enabled = enabled
    mode.attendant = attendant if attendant is not None or not enabled else _afterhour()
    mode.save()
    return _record_mode(mode, before)


@transaction.atomic
def delete_attendant(attendant: AutoAttendant) -> None:
    """Deletes a user attendant; a system one, or the one answering in special mode now, is refused. Deleting the
    selected special attendant (special mode off) clears the selection."""
    if attendant.is_system:
        message = gettext('"%(name)s" is a system attendant (%(id)s) and cannot be deleted.')
        raise ValidationError(message % {"name": attendant.name, "id": attendant.system_id})
    mode, mode_before = _locked_mode()
    if mode.enabled and mode.attendant_id == attendant.pk:
        message = gettext('"%(name)s" answers calls in special mode now: turn special mode off first.')
        raise ValidationError(message % {"name": attendant.name})
    if mode.attendant_id == attendant.pk:
        period = schedule.special_mode_at().period
        if period is not None:
            message = gettext(
                '"%(name)s" answers calls in special mode now (the scheduled period "%(period)s"): '
                "select another special attendant first."
            )
            raise ValidationError(message % {"name": attendant.name, "period": period.name})
    name, before = attendant.name, audit_fields(attendant, None)
    selected = mode.attendant_id == attendant.pk
    attendant.delete()
    changes = [audit.Change(KIND, name, before, None)]
    if selected:  # the row's foreign key was set to null by the delete
        changes.append(audit.Change(SPECIAL_KIND, SPECIAL_KEY, mode_before, {**mode_before, "attendant": None}))
    audit.record_many(changes)


@transaction.atomic
def delete_all_attendants() -> None:
    """import --replace: every user attendant goes and the system ones lose their menus, in single DELETE
    statements; the audit log gets one entry per attendant (and the special mode's, when its selection goes)."""
    before = _stored(list(AutoAttendant.objects.values_list("pk", flat=True)))
    mode, mode_before = _locked_mode()
    selection_goes = mode.attendant_id is not None and before[mode.attendant_id]["system_id"] is None
    AutoAttendant.objects.filter(system_id__isnull=True).delete()
    MenuItem.objects.all().delete()
    changes = [
        audit.Change(KIND, old["name"], old, None if old["system_id"] is None else {**old, "menu": []})
        for old in before.values()
    ]
    if selection_goes:
        changes.append(audit.Change(SPECIAL_KIND, SPECIAL_KEY, mode_before, {**mode_before, "attendant": None}))
    audit.record_many(changes)


def reset_special_mode() -> SpecialMode:
    """import --replace: off, nothing selected."""
    return set_special_mode(False, None)


# ---- the special-mode schedule (apps/attendants/schedule.py) -----------------------------------------------------

PERIOD_KIND = "special-mode-period"
PERIOD_NAME_MAX = SpecialModePeriod._meta.get_field("name").max_length


class PeriodError(ValidationError):
    """A refused period: `field` is name, weekdays, start or end (None: the period as a whole, an overlap); `index`
    its position in a schedule replaced at once (replace_schedule), so that the data file can name the path."""

    def __init__(self, message: str, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.field, self.index = field, index


def period_fields(period: SpecialModePeriod) -> dict:
    """What the audit log keeps of a period: the data file's values (schedule.wall_text)."""
    start, end = schedule.wall_text(period)
    return {"name": period.name, "weekdays": schedule.weekday_names(period), "start": start, "end": end}


def check_period(period: SpecialModePeriod, others) -> None:
    """The rules of a period (normalising it: name stripped, days sorted, times to the minute), then no overlap
    with `others` of its kind (schedule.first_overlap). Raises PeriodError with a sentence."""
    period.name = (period.name or "").strip()
    if not period.name:
        raise PeriodError(gettext("A period needs a name, such as night or holidays."), "name")
    if len(period.name) > PERIOD_NAME_MAX:
        raise PeriodError(gettext("A period's name has at most %(n)s characters.") % {"n": PERIOD_NAME_MAX}, "name")
    days = set(period.weekdays or "")
    if not days <= set("0123456"):
        raise PeriodError(gettext("The days of a weekly period are Monday to Sunday."), "weekdays")
    period.weekdays = "".join(sorted(days))
    if period.start_time is None:
        raise PeriodError(gettext("A period needs the time it starts."), "start")
    if period.end_time is None:
        raise PeriodError(gettext("A period needs the time it ends."), "end")
    period.start_time = period.start_time.replace(second=0, microsecond=0, tzinfo=None)
    period.end_time = period.end_time.replace(second=0, microsecond=0, tzinfo=None)
    if period.weekly:
        if period.start_date is not None or period.end_date is not None:
            raise PeriodError(gettext("A weekly period starts and ends at a time of day, without a date."), "start")
    else:
        if period.start_date is None:
            raise PeriodError(gettext("A one-off period needs the day it starts (or choose weekdays)."), "start")
        if period.end_date is None:
            raise PeriodError(gettext("A one-off period needs the day it ends."), "end")
        start, end = schedule.one_off(period, schedule.zone())
        if end <= start:
            raise PeriodError(gettext("The period must end after it starts."), "end")
    found = schedule.first_overlap(period, others)
    if found is not None:
        other, met = found
        values = {"name": other.name, "when": schedule.describe(other)}
        if period.weekly:
            # The date as well as the day: two weekly periods may meet only on the day a DST change comes.
            values.update(day=schedule.day_of(met), time=f"{met.astimezone(schedule.zone()):%H:%M}")
            message = gettext(
                'This period overlaps "%(name)s" (%(when)s): both would apply on %(day)s at %(time)s, and two '
                "weekly periods may not overlap. Change one of them, or join them into one period."
            )
        else:
            message = gettext(
                'This period overlaps "%(name)s" (%(when)s): two one-off periods may not overlap. '
                "Change one of them, or join them into one period."
            )
        raise PeriodError(message % values)


def _lock_schedule() -> None:
    """Schedule changes take the special-mode row's lock: two overlapping periods cannot be saved side by side."""
    SpecialMode.objects.select_for_update().get_or_create(pk=1)


@transaction.atomic
def save_period(period: SpecialModePeriod) -> SpecialModePeriod:
    """Creates or changes one period (the schedule pages, the admin JSON API), after check_period against the other
    periods. Raises PeriodError; nothing changes then."""
    _lock_schedule()
    stored = SpecialModePeriod.objects.filter(pk=period.pk).first() if period.pk else None
    before = period_fields(stored) if stored is not None else None
    check_period(
        period, list(SpecialModePeriod.objects.exclude(pk=period.pk) if period.pk else SpecialModePeriod.objects.all())
    )
    period.save()
    audit.record(PERIOD_KIND, str(period.pk), before, period_fields(period))
    return period


@transaction.atomic
def delete_period(period: SpecialModePeriod) -> None:
    _lock_schedule()
    key, before = str(period.pk), period_fields(period)
    period.delete()
    audit.record(PERIOD_KIND, key, before, None)


@transaction.atomic
def replace_schedule(periods: Sequence[SpecialModePeriod]) -> list[SpecialModePeriod]:
    """The whole schedule at once (the data file): each period checked against the ones before it (PeriodError with
    its `index`), then the stored periods replaced. Nothing changes (and nothing is recorded) when the schedule given
    is the one stored."""
    _lock_schedule()
    for index, period in enumerate(periods):
        try:
            check_period(period, periods[:index])
        except PeriodError as exc:
            exc.index = index
            raise
    stored = list(SpecialModePeriod.objects.all())
    if [period_fields(p) for p in stored] == [period_fields(p) for p in periods]:
        return stored
    SpecialModePeriod.objects.all().delete()
    for period in periods:
        period.pk = None
        period.save()
    audit.record_many(
        [audit.Change(PERIOD_KIND, str(p.pk), period_fields(p), None) for p in stored]
        + [audit.Change(PERIOD_KIND, str(p.pk), None, period_fields(p)) for p in periods]
    )
    return list(periods)


def clear_schedule() -> None:
    """import --replace: no period."""
    replace_schedule([])
