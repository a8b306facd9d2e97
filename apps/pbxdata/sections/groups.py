"""`groups`: user groups, matched by name."""

from apps.pbxdata.schema import REQUIRED, list_of, obj, text
from apps.users.models import UserGroup

_group = obj({"name": (text(blank=False), REQUIRED), "description": (text(), "")})
_groups = list_of(_group, unique=lambda g: g["name"], what="group")


def validate(value, path):
    return _groups(value, path)


def clear():
    UserGroup.objects.all().delete()


def load(groups, ctx):
    """Creates or updates the file's groups (three queries); `ctx.groups` then maps every name to its row."""
    existing = {} if ctx.replace else {g.name: g for g in UserGroup.objects.all()}
    new, changed = [], []
    for item in groups:
        row = existing.get(item["name"])
        if row is None:
            new.append(UserGroup(name=item["name"], description=item["description"]))
        elif row.description != item["description"]:
            row.description = item["description"]
            changed.append(row)
    UserGroup.objects.bulk_create(new, batch_size=500)
    UserGroup.objects.bulk_update(changed, ["description"], batch_size=500)
    ctx.groups = {g.name: g for g in UserGroup.objects.all()}
    ctx.step(len(groups))


def dump():
    return [
        {"name": g.name, **({"description": g.description} if g.description else {})}
        for g in UserGroup.objects.order_by("name")
    ]
