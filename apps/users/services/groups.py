"""User groups: their rule (`clean_group`), one group at a time (the group pages, the admin JSON API) and a whole file
of them (the PBX data file: `save_groups`, three queries for any number)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from apps.audit import services as audit
from apps.users.models import UserGroup
from apps.users.services.errors import UserError, _at, _refuse, by_field, first_error
from apps.users.services.queries import BATCH
from apps.users.services.text import text_rule


@dataclass
class GroupData:
    name: str
    description: str = ""


def clean_group(data: GroupData) -> GroupData:
    """The group as stored (name and description without surrounding white space); raises ValidationError keyed
    by "name"/"description"."""
    name, description = data.name.strip(), (data.description or "").strip()
    errors = []
    problem = gettext("A group needs a name.") if not name else text_rule(name, gettext("The name"))
    if problem:
        errors.append(UserError(problem, "name"))
    problem = text_rule(description, gettext("The description"))
    if problem:
        errors.append(UserError(problem, "description"))
    _refuse(errors)
    return GroupData(name, description)


@transaction.atomic
def save_group(group: UserGroup) -> UserGroup:
    """Creates or changes one group (the group pages); its name may not be another group's."""
    data = clean_group(GroupData(group.name, group.description))
    if UserGroup.objects.filter(name=data.name).exclude(pk=group.pk).exists():
        raise by_field([UserError(gettext('There is already a group named "%(name)s".') % {"name": data.name}, "name")])
    before = {"name": group.name, "description": group.description} if group.pk else None
    if before is not None:
        stored = UserGroup.objects.get(pk=group.pk)
        before = {"name": stored.name, "description": stored.description}
    group.name, group.description = data.name, data.description
    group.save()
    audit.record("group", group.name, before, {"name": group.name, "description": group.description})
    return group


@transaction.atomic
def delete_group(group: UserGroup) -> None:
    before = {"name": group.name, "description": group.description}
    group.delete()
    audit.record("group", before["name"], before, None)


def save_groups(items: Sequence[GroupData]) -> dict[str, UserGroup]:
    """Creates the groups of `items` whose name is new and changes the description of the others (a file matches
    groups by name); the first bad item raises its UserError with `item` set. Three queries for any number."""
    cleaned = []
    for index, item in enumerate(items):
        try:
            cleaned.append(clean_group(item))
        except ValidationError as exc:
            raise _at(first_error(exc), index) from None
    existing = {g.name: g for g in UserGroup.objects.all()}
    new, changed = [], []
    for data in cleaned:
        row = existing.get(data.name)
        if row is None:
            new.append(row := UserGroup(name=data.name, description=data.description))
            existing[data.name] = row
        elif row.description != data.description:
            row.description = data.description
            changed.append(row)
    old_descriptions = {g.name: g.description for g in UserGroup.objects.filter(pk__in=[g.pk for g in changed])}
    UserGroup.objects.bulk_create(new, batch_size=BATCH)
    UserGroup.objects.bulk_update(changed, ["description"], batch_size=BATCH)
    audit.record_many(
        audit.Change(
            "group",
            g.name,
            None if g in new else {"name": g.name, "description": old_descriptions[g.name]},
            {"name": g.name, "description": g.description},
        )
        for g in [*new, *changed]
    )
    return {g.name: g for g in UserGroup.objects.all()}


def delete_all_groups() -> None:
    groups = list(UserGroup.objects.values("name", "description"))
    UserGroup.objects.all().delete()
    audit.record_many(audit.Change("group", g["name"], g, None) for g in groups)
