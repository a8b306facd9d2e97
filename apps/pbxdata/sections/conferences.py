"""`conferences`: the file's schema and its mapping onto apps.conferences.services.upsert_conferences, which holds
every rule (names, extensions and their clash with user names, codes, limits, the owner by typed name) as it
does for the conference pages. Rooms are matched by name."""

from apps.conferences import services
from apps.conferences.models import Conference
from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, integer, join, list_of, obj, show, text
from sipxweb import dialplan

# One room: the admin JSON API (apps/adminapi/resources/conferences.py) checks its bodies with it too.
CONFERENCE = obj(
    {
        "name": (text(), REQUIRED),
        "owner": (text(nullable=True), None),
        "description": (text(nullable=True), None),
        "extension": (text(), REQUIRED),
        "enabled": (boolean, True),
        "accessCode": (text(nullable=True), None),
        "moderatorCode": (text(nullable=True), None),
        "maxParticipants": (integer(0, 2**31 - 1), 0),  # the column's range; the limit is the services' rule
        "autoRecord": (boolean, False),
    }
)

# ConferenceData field -> the file's key.
KEYS = {
    "name": "name",
    "owner": "owner",
    "description": "description",
    "extension": "extension",
    "enabled": "enabled",
    "access_code": "accessCode",
    "moderator_code": "moderatorCode",
    "max_participants": "maxParticipants",
    "auto_record": "autoRecord",
}


def validate(value, path):
    return list_of(CONFERENCE, what="conference")(value, path)


def clear():
    services.delete_all_conferences()


def conference_data(c: dict) -> services.ConferenceData:
    """A checked room of the file (or of the admin JSON API) as the conferences service takes it."""
    return services.ConferenceData(**{field: c[key] for field, key in KEYS.items()})


def refused(error: services.ConferenceError, where: str) -> PbxDataError:
    """The service's refusal of a value of room `where` ("conferences[3]"), at the path of the file's key."""
    return PbxDataError(join(where, KEYS[error.field]), " ".join(error.messages).rstrip("."))


def load(conferences, ctx):
    ctx.stage("conferences", len(conferences))
    items = [conference_data(c) for c in conferences]
    try:
        services.upsert_conferences(items)
    except services.ConferenceError as exc:
        raise refused(exc, f"conferences[{exc.item}]") from None
    ctx.step(len(conferences))


def check_extensions(cleaned: dict) -> None:
    """After every section is loaded: the file's user names and aliases may not be a conference's extension (a
    merge may add user 8000 beside a stored conference 8000; the file's own rooms were checked as they were
    stored, after the users). The names are asked of the dial plan (sipxweb/dialplan.py)."""
    users = cleaned.get("users") or []
    names = [(f"users[{i}].userName", u["userName"]) for i, u in enumerate(users)]
    names += [(f"users[{i}].aliases[{j}]", a) for i, u in enumerate(users) for j, a in enumerate(u["aliases"])]
    held = dialplan.owners(name for _, name in names)
    for path, name in names:
        rooms = [o for o in held.get(name.lower(), []) if o.app == "conferences"]
        if rooms:
            raise PbxDataError(path, f"{show(name)} is the extension of conference {show(rooms[0].name)}")


def dump_conference(c: Conference) -> dict:
    """One room; keys at their default are left out (`extension` and `enabled` always written). Its owner must be
    fetched (`select_related("owner")`)."""
    item = {"name": c.name}
    if c.owner is not None:
        item["owner"] = c.owner.username
    if c.description is not None:
        item["description"] = c.description
    item["extension"] = c.extension
    item["enabled"] = c.enabled
    if c.access_code is not None:
        item["accessCode"] = c.access_code
    if c.moderator_code is not None:
        item["moderatorCode"] = c.moderator_code
    if c.max_participants:
        item["maxParticipants"] = c.max_participants
    if c.auto_record:
        item["autoRecord"] = True
    return item


def dump():
    out = [dump_conference(c) for c in Conference.objects.select_related("owner").order_by("name")]
    return out or None
