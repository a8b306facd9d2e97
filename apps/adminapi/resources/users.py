"""/api/v1/users and /api/v1/groups: the data file's users and groups (apps/pbxdata/sections/users.py and
groups.py hold their keys), stored through apps.users.services as the user pages and the data file store them."""

from django.db.models import Count

from apps.adminapi.resource import Resource
from apps.pbxdata.schema import PbxDataError
from apps.pbxdata.sections import groups as group_section
from apps.pbxdata.sections import users as user_section
from apps.users import services
from apps.users.filtersets import UserFilterSet, UserGroupFilterSet
from apps.users.models import User, UserGroup

# The stored forms of secrets: kept by a change that does not give the secret, never shown.
STORED_SECRETS = ("pinHash", "digestHa1", "voicemailPinHash", "feedKey")


class Users(Resource):
    name = "users"
    kind = "user"
    key = "userName"
    lookup = "username"
    item = user_section.USER
    # Secrets are write-only; a mailbox's greeting, the private phonebook and the away periods (/my/away-periods)
    # have resources of their own.
    hidden = (
        "pin",
        "voicemailPin",
        "sipPassword",
        *STORED_SECRETS,
        "activeGreeting",
        "voicemailEmail",
        "privatePhonebook",
        "awayPeriods",
    )
    write_only = ("pin", "voicemailPin", "sipPassword")
    filterset_class = UserFilterSet
    ordering = {"userName": "username", "firstName": "first_name", "lastName": "last_name"}
    default_order = ("username",)

    def queryset(self):
        return User.objects.select_related("profile")

    def prepare(self, rows):
        related = user_section.related_of(rows)
        for user in rows:
            user.api_related = related[user.pk]

    def represent(self, user):
        return user_section.dump_user(user, secrets=False, related=user.api_related)

    def kept(self, user):
        return user_section.dump_secrets(user) | {"feedKey": user.feed_key}

    def validate(self, item, path):
        if "pin" in item:  # a new PIN replaces the stored forms of the old one
            item.pop("pinHash", None), item.pop("digestHa1", None)
        if "voicemailPin" in item:
            item.pop("voicemailPinHash", None)
        if item.get("digestHa1"):  # HA1s of names the user no longer has go with them
            names = {item.get("userName"), item.get("imId"), *item.get("aliases", [])}
            item["digestHa1"] = {n: ha1 for n, ha1 in item["digestHa1"].items() if n in names} or None
        return user_section.validated(item, path)[0]

    def save(self, checked):
        try:
            return services.save_users([u[user_section.CHECKED] for u in checked])
        except services.UserError as exc:
            raise user_section.refused(exc, f"[{exc.item or 0}]") from None

    def delete(self, user):
        services.delete_user(user)


class Groups(Resource):
    name = "groups"
    kind = "group"
    key = "name"
    lookup = "name"
    item = group_section.GROUP
    filterset_class = UserGroupFilterSet
    ordering = {"name": "name", "description": "description"}
    default_order = ("name",)

    def queryset(self):
        return UserGroup.objects.annotate(user_count=Count("users"))

    def validate(self, item, path):
        group = self.checker(item, path)
        # The name as stored (without surrounding white space): the API looks the group up by it after the write.
        group["name"] = group["name"].strip()
        return group

    def represent(self, group):
        return group_section.dump_group(group)

    def save(self, checked):
        try:
            stored = services.save_groups([services.GroupData(g["name"], g["description"]) for g in checked])
            return [stored[g["name"]] for g in checked]
        except services.UserError as exc:
            raise PbxDataError(f"[{exc.item or 0}].{exc.field}", " ".join(exc.messages)) from None

    def delete(self, group):
        services.delete_group(group)
