"""The one writer of conferences, so a room is accepted or refused by the same rules whichever way it arrives:
`save_conference` for the admin and portal pages, `upsert_conferences` for the PBX data file and the admin JSON API
(many rooms, a fixed number of queries), `delete_conference` for the admin pages and the admin JSON API. Each records
its changes in the audit log (the codes masked there); who is in a room now (the participants) is live call state
and is not audited. GET /my/conferences reads `owned_by`.

The rules: the model's field rules (name and extension characters, lengths, 1-10 digit codes, the participant
limit); empty text means "not set" (None, omitted on the wire); names are unique; an extension is unique among
conferences ignoring case and is no other app's dialable name (sipxweb/dialplan.py: a user name or alias); the
owner is a user named as the users app finds typed names (apps.users.lookup)."""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.conferences.models import Conference, Participant
from apps.users import lookup
from sipxweb import dialplan

# Optional text: "" is "not set", stored as None so the wire leaves it out whichever channel wrote it.
NULLABLE_TEXT = ("description", "access_code", "moderator_code")
_CHUNK = 900  # values per IN (...): databases bound the parameters of one statement
KIND = "conference"  # the audit log's kind


class ConferenceError(ValidationError):
    """A refused conference: `field` is the model field at fault; `item` the index in an upsert_conferences batch."""

    def __init__(self, field: str, message: str):
        super().__init__({field: [message]})
        self.field, self.item = field, None


@dataclass
class ConferenceData:
    """A conference as a bulk channel gives it: the owner as a typed user name."""

    name: str
    extension: str
    owner: str | None = None
    description: str | None = None
    enabled: bool = True
    access_code: str | None = None
    moderator_code: str | None = None
    max_participants: int = 0
    auto_record: bool = False


# The ConferenceData fields stored as they are, in the model's order (the name is the key, the owner is resolved).
STORED = ("description", "extension", "enabled", "access_code", "moderator_code", "max_participants", "auto_record")


def audit_fields(conference: Conference) -> dict[str, Any]:
    """What the audit log compares of a room: its fields, the owner by user name (fetch it with the room)."""
    owner = conference.owner.username if conference.owner_id is not None else None
    return {"name": conference.name, "owner": owner, **{field: getattr(conference, field) for field in STORED}}


def _normalised(conference: Conference) -> None:
    for field in NULLABLE_TEXT:
        if not getattr(conference, field):
            setattr(conference, field, None)


def _field_rules(conference: Conference) -> None:
    """The model's field rules (no queries); the owner is a user object by then, found by its caller. The two codes
    differ: the media server tells a moderator from a participant by the code typed, so with one code for both
    every caller who knows it would join as the moderator."""
    try:
        conference.clean_fields(exclude=["owner"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ConferenceError(field, " ".join(messages)) from None
    if conference.moderator_code and conference.moderator_code == conference.access_code:
        raise ConferenceError(
            "moderator_code", gettext("The moderator code must differ from the participant access code.")
        )


def _another_conference(extension: str) -> ConferenceError:
    return ConferenceError(
        "extension", gettext('Extension "%(extension)s" belongs to another conference.') % {"extension": extension}
    )


def _held_elsewhere(extensions: Sequence[str]) -> None:
    """Refuses the first extension another app holds; its index in `extensions` is the error's `item`."""
    elsewhere = dialplan.held_elsewhere(extensions, "conferences")
    for index, extension in enumerate(extensions):
        if extension.lower() in elsewhere:
            what = gettext(elsewhere[extension.lower()].what)
            sentence = gettext('Extension "%(extension)s" is %(what)s.') % {"extension": extension, "what": what}
            error = ConferenceError("extension", sentence)
            error.item = index
            raise error


def validate_extension(extension: str, conference: Conference | None = None) -> None:
    """An extension is unique among conferences (ignoring case) and must not be any other app's dialable name,
    a user's name or alias (calls to it would be ambiguous)."""
    others = Conference.objects.filter(extension__iexact=extension)
    if conference is not None and conference.pk:
        others = others.exclude(pk=conference.pk)
    if others.exists():
        raise _another_conference(extension)
    _held_elsewhere([extension])


def check_conference(conference: Conference) -> None:
    """Raises ConferenceError when `conference` (its owner already a user or None) may not be stored."""
    _normalised(conference)
    _field_rules(conference)
    if Conference.objects.filter(name=conference.name).exclude(pk=conference.pk).exists():
        raise ConferenceError(
            "name", gettext('A conference named "%(name)s" already exists.') % {"name": conference.name}
        )
    validate_extension(conference.extension, conference)


def save_conference(conference: Conference) -> Conference:
    """Checks and stores one conference (the pages)."""
    check_conference(conference)
    stored = Conference.objects.select_related("owner").filter(pk=conference.pk).first() if conference.pk else None
    try:
        with transaction.atomic():
            conference.save()
            audit.record(KIND, conference.name, audit_fields(stored) if stored else None, audit_fields(conference))
    except IntegrityError:  # a concurrent request took the name or the extension after the check
        raise ConferenceError(
            "name", gettext("Another conference took this name or extension meanwhile; try again.")
        ) from None
    return conference


def _stored(field: str, values: Sequence[str]) -> list[Conference]:
    rooms = Conference.objects.select_related("owner")  # the audit log names the owner before the change
    return [c for chunk in batched(values, _CHUNK) for c in rooms.filter(**{f"{field}__in": chunk})]


def upsert_conferences(items: Sequence[ConferenceData]) -> list[Conference]:
    """Creates or changes the conferences `items` name (matched by name), by the rules of save_conference, in
    the caller's transaction: the first refused item raises ConferenceError with its index in `item`, and the
    caller rolls back. A fixed number of queries for any number of rooms (one per 900 for the lookups)."""
    owners = lookup.find_users({i.owner for i in items if i.owner})
    existing = {c.name: c for c in _stored("name", [i.name for i in items])}
    before = {name: audit_fields(c) for name, c in existing.items()}
    rows: list[Conference] = []
    names: dict[str, int] = {}
    extensions: dict[str, int] = {}
    for index, item in enumerate(items):
        try:
            if item.name in names:
                raise ConferenceError("name", f'Conference "{item.name}" is given twice.')
            if item.owner and item.owner not in owners:
                raise ConferenceError("owner", f'There is no user "{item.owner}".')
            row = existing.get(item.name) or Conference(name=item.name)
            row.owner = owners[item.owner] if item.owner else None
            for field in STORED:
                setattr(row, field, getattr(item, field))
            _normalised(row)
            _field_rules(row)
            if row.extension.lower() in extensions:
                other = items[extensions[row.extension.lower()]].name
                raise ConferenceError("extension", f'Extension "{row.extension}" is given to conference "{other}" too.')
        except ConferenceError as exc:
            exc.item = index
            raise
        names[item.name] = extensions[row.extension.lower()] = index
        rows.append(row)
    _check_batch_extensions(rows, names, extensions)
    changed = [row for row in rows if row.pk]
    # Extensions may move between the batch's rooms: clear the changed ones first (the unique constraint).
    for chunk in batched([row.pk for row in changed], _CHUNK):
        # No valid extension has a space, so the placeholders clash with nothing.
        placeholder = Concat(Value(" moving "), Cast("pk", CharField()))
        Conference.objects.filter(pk__in=chunk).update(extension=placeholder)
    Conference.objects.bulk_update(changed, ["owner", *STORED], batch_size=500)
    Conference.objects.bulk_create([row for row in rows if not row.pk], batch_size=500)
    audit.record_many(audit.Change(KIND, row.name, before.get(row.name), audit_fields(row)) for row in rows)
    return rows


@transaction.atomic
def delete_conference(conference: Conference) -> None:
    """Deletes a room (the admin pages and the admin JSON API)."""
    before = audit_fields(conference)
    conference.delete()
    audit.record(KIND, before["name"], before, None)


@transaction.atomic
def delete_all_conferences() -> None:
    """Every room (the data file's import --replace), each deletion in the audit log."""
    rooms = list(Conference.objects.select_related("owner").order_by("name"))
    Conference.objects.all().delete()
    audit.record_many(audit.Change(KIND, room.name, audit_fields(room), None) for room in rooms)


def _check_batch_extensions(rows: list[Conference], names: dict[str, int], extensions: dict[str, int]) -> None:
    """The batch's extensions against the rooms it leaves alone, then against the other apps' names."""
    clashes = []
    for chunk in batched(sorted(extensions), _CHUNK):
        held = Conference.objects.annotate(folded=Lower("extension")).filter(folded__in=chunk)
        clashes += [extensions[key] for name, key in held.values_list("name", "folded") if name not in names]
    if clashes:
        error = _another_conference(rows[min(clashes)].extension)
        error.item = min(clashes)
        raise error
    _held_elsewhere([row.extension for row in rows])


def owned_by(user):
    """The user's conferences in wire order (by name)."""
    return Conference.objects.filter(owner=user).order_by("name")


# ---- who is in a room now (the media server writes, the pages command) ----------------------------------------


def conference_for_call(name: str) -> Conference | None:
    """The room a call to a conference's extension asks for (the route gives its name), or None."""
    return Conference.objects.filter(name=name).first()


def join(conference: Conference, server: str, call_key: str, caller: str, display: str, is_moderator: bool):
    """A caller entered `conference` on media server `server` (its per-process id)."""
    return Participant.objects.create(
        conference=conference,
        server=server,
        call_key=call_key,
        caller=caller[:255],
        display=display[:255],
        is_moderator=is_moderator,
    )


def leave(server: str, call_key: str) -> None:
    Participant.objects.filter(server=server, call_key=call_key).delete()


def forget_other_servers(server: str) -> int:
    """Deletes the rows of every media server process but `server`: called when a media server starts, the
    callers of the one it replaces were cut off with it. Returns how many rows went."""
    return Participant.objects.exclude(server=server).delete()[0]


def commands(server: str) -> dict[str, tuple[bool, bool]]:
    """call key -> (muted, removed) of the rows of media server `server`, polled by it (one query)."""
    rows = Participant.objects.filter(server=server).values_list("call_key", "muted", "removed")
    return {key: (muted, removed) for key, muted, removed in rows}


def may_moderate(user, conference: Conference) -> bool:
    """Mute and remove are for administrators and the room's owner."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_admin", False):
        return True
    return conference.owner_id is not None and conference.owner_id == user.pk


def set_muted(participant: Participant, muted: bool) -> Participant:
    """Asks the media server to stop (or resume) sending the participant's voice to the others."""
    participant.muted = muted
    Participant.objects.filter(pk=participant.pk).update(muted=muted)
    return participant


def remove(participant: Participant) -> Participant:
    """Asks the media server to tell the participant they were removed and hang up; it deletes the row then."""
    participant.removed = True
    Participant.objects.filter(pk=participant.pk).update(removed=True)
    return participant
