"""`groups`: the file's schema and its mapping onto apps.users.services.save_groups, which holds the rules of a
group (as for the group pages). Groups are matched by name: a stored group of that name gets the file's
description."""

from apps.pbxdata.schema import REQUIRED, PbxDataError, list_of, obj, text
from apps.users import services
from apps.users.models import UserGroup

GROUP = obj({"name": (text(blank=False), REQUIRED), "description": (text(), "")})
_groups = list_of(GROUP, unique=lambda g: g["name"], what="group")


def validate(value, path):
    return _groups(value, path)


def clear():
    services.delete_all_groups()


def load(groups, ctx):
    """Creates or updates the file's groups (three queries); `ctx.groups` then maps every name to its row."""
    try:
        ctx.groups = services.save_groups([services.GroupData(g["name"], g["description"]) for g in groups])
    except services.UserError as exc:
        raise PbxDataError(f"groups[{exc.item}].{exc.field}", " ".join(exc.messages)) from None
    ctx.step(len(groups))


def dump_group(group: UserGroup) -> dict:
    return {"name": group.name, **({"description": group.description} if group.description else {})}


def dump():
    return [dump_group(g) for g in UserGroup.objects.order_by("name")]
