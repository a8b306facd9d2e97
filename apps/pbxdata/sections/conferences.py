"""`conferences`: conference rooms matched by name; `owner` names a user by user name."""

from apps.conferences.models import Conference
from apps.pbxdata.schema import REQUIRED, PbxDataError, boolean, integer, list_of, obj, show, text
from apps.users.models import User
from sipxweb import dialplan

_code = text(max_length=10, nullable=True, pattern="[0-9]{1,10}")
_conference = obj(
    {
        "name": (text(blank=False, pattern=r"[A-Za-z0-9._-]+"), REQUIRED),
        "owner": (text(nullable=True), None),
        "description": (text(nullable=True), None),
        "extension": (text(max_length=64, blank=False, pattern=r"[A-Za-z0-9._+*#-]+"), REQUIRED),
        "enabled": (boolean, True),
        "accessCode": (_code, None),
        "moderatorCode": (_code, None),
        "maxParticipants": (integer(0, 100000), 0),
        "autoRecord": (boolean, False),
    }
)
FIELDS = [
    "owner",
    "description",
    "extension",
    "enabled",
    "access_code",
    "moderator_code",
    "max_participants",
    "auto_record",
]


def validate(value, path):
    conferences = list_of(_conference, unique=lambda c: c["name"], what="conference")(value, path)
    extensions: dict[str, int] = {}
    for i, c in enumerate(conferences):
        folded = c["extension"].lower()
        if folded in extensions:
            raise PbxDataError(
                f"{path}[{i}].extension",
                f"{show(c['extension'])} is already the extension of {path}[{extensions[folded]}]",
            )
        extensions[folded] = i
    return conferences


def clear():
    Conference.objects.all().delete()


def load(conferences, ctx):
    owners = {c["owner"] for c in conferences if c["owner"]}
    users = {u.username: u for u in User.objects.filter(username__in=owners)}
    names = [c["name"] for c in conferences]
    existing = {} if ctx.replace else {c.name: c for c in Conference.objects.filter(name__in=names)}
    others = Conference.objects.exclude(name__in=names).filter(extension__in=[c["extension"] for c in conferences])
    other_extensions = {c.extension.lower(): c.name for c in others}
    ctx.stage("conferences", len(conferences))
    new, changed = [], []
    for i, c in enumerate(conferences):
        here = f"conferences[{i}]"
        if c["owner"] and c["owner"] not in users:
            raise PbxDataError(f"{here}.owner", f"there is no user {show(c['owner'])}")
        if c["extension"].lower() in other_extensions:
            owner = other_extensions[c["extension"].lower()]
            raise PbxDataError(f"{here}.extension", f"{show(c['extension'])} is the extension of conference {owner}")
        row = existing.get(c["name"])
        (changed if row else new).append(row := row or Conference(name=c["name"]))
        row.owner = users.get(c["owner"]) if c["owner"] else None
        row.description, row.extension, row.enabled = c["description"], c["extension"], c["enabled"]
        row.access_code, row.moderator_code = c["accessCode"], c["moderatorCode"]
        row.max_participants, row.auto_record = c["maxParticipants"], c["autoRecord"]
        ctx.step()
    # Extensions may move between the file's rooms: clear the changed ones first (unique constraint).
    for row in changed:
        Conference.objects.filter(pk=row.pk).update(extension=f" moving {row.pk}")  # no valid extension has spaces
    Conference.objects.bulk_update(changed, FIELDS, batch_size=500)
    Conference.objects.bulk_create(new, batch_size=500)


def check_extensions(cleaned: dict) -> None:
    """After every section is loaded: no conference extension may also be a user name or alias, whichever
    side the file changed (a merge may add user 8000 beside an existing conference 8000). The file's names
    and extensions are asked of the dial plan (sipxweb/dialplan.py), one query per app that holds names."""
    users, rooms = cleaned.get("users") or [], cleaned.get("conferences") or []
    names = [c["extension"] for c in rooms] + [n for u in users for n in [u["userName"], *u["aliases"]]]
    held = dialplan.owners(names)
    clashes = [o for found in held.values() if len({o.app for o in found}) > 1 for o in found if o.app == "conferences"]
    if not clashes:
        return
    clash = min(clashes, key=lambda o: o.name)  # the conference first by name, as the error names one
    for i, c in enumerate(rooms):
        if c["name"] == clash.name:
            raise PbxDataError(f"conferences[{i}].extension", f"{show(clash.number)} is a user name or alias")
    for i, u in enumerate(users):
        for path, name in [(f"users[{i}].userName", u["userName"])] + [
            (f"users[{i}].aliases[{j}]", a) for j, a in enumerate(u["aliases"])
        ]:
            if name.lower() == clash.number.lower():
                raise PbxDataError(path, f"{show(name)} is the extension of conference {show(clash.name)}")
    raise PbxDataError("conferences", f"{show(clash.number)} is both a conference extension and a user name")


def dump():
    out = []
    for c in Conference.objects.select_related("owner").order_by("name"):
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
        out.append(item)
    return out or None
