"""Contact information (UserProfile) and a person's names (first and last name, the IM display name): their rules
(`clean_contact`) and their one writer for a single user (`save_contact`: the portal page and PUT
/my/contact-information).

The profile's fields, kinds and wire names come from the one address-book table (apps.users.addressbook). Text
is stored without surrounding white space (what the forms and the REST serializers already give); an address
keeps its values as given, without the keys that are None."""

import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from apps.audit import services as audit
from apps.users import addressbook
from apps.users.models import UserProfile
from apps.users.services.errors import UserError, _refuse
from apps.users.services.text import text_rule

CONTACT_FIELDS = {f.model: f for f in addressbook.PROFILE_FIELDS}
_SALUTATIONS = tuple(UserProfile.Salutation.values)
_TEXT_KINDS = (addressbook.TEXT, addressbook.EMAIL)


def contact_defaults() -> dict[str, Any]:
    """Every contact field at its default: what a profile holds when nothing was given."""
    defaults = {}
    for name in CONTACT_FIELDS:
        model_field = UserProfile._meta.get_field(name)
        defaults[name] = None if model_field.null else model_field.get_default()
    return defaults


def _address(name: str, value) -> tuple[dict, list[UserError]]:
    if not value:  # None or {}: no address
        return {}, []
    if not isinstance(value, Mapping):
        return {}, [
            UserError(
                gettext("An address has the parts %(parts)s.") % {"parts": ", ".join(addressbook.ADDRESS_KEYS)},
                "contact",
                None,
                name,
            )
        ]
    errors, clean = [], {}
    for key, part in value.items():
        if key not in addressbook.ADDRESS_KEYS:
            message = gettext('Unknown address part "%(key)s"; expected some of: %(parts)s.') % {
                "key": key,
                "parts": ", ".join(addressbook.ADDRESS_KEYS),
            }
            errors.append(UserError(message, "contact", None, name, key))
        elif part is not None:
            problem = gettext("must be text.") if not isinstance(part, str) else text_rule(part, key)
            if problem:
                errors.append(UserError(problem, "contact", None, name, key))
            clean[key] = part
    return {k: clean[k] for k in addressbook.ADDRESS_KEYS if k in clean}, errors


def clean_contact(values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (UserProfile field -> value) as stored; raises ValidationError (UserErrors on field "contact", the
    profile field in `key`, an address part in `part`)."""
    clean, errors = {}, []
    for name, value in values.items():
        kind = CONTACT_FIELDS[name].kind  # an unknown field is the caller's mistake: KeyError
        if value is None and kind in _TEXT_KINDS:  # most fields of most users: checked first
            clean[name] = None
        elif kind == addressbook.ADDRESS:
            clean[name], found = _address(name, value)
            errors += found
        elif kind == addressbook.BOOL:
            clean[name] = bool(value)
        elif kind == addressbook.SALUTATION:
            if value not in _SALUTATIONS:
                message = gettext('"%(value)s" is not one of %(choices)s.') % {
                    "value": value,
                    "choices": ", ".join(_SALUTATIONS),
                }
                errors.append(UserError(message, "contact", None, name))
            clean[name] = value
        else:
            clean[name] = value = value.strip()
            problem = text_rule(value, addressbook.BY_MODEL[name].wire)
            if problem is None and kind == addressbook.EMAIL and value:
                try:
                    validate_email(value)
                except ValidationError as exc:
                    problem = " ".join(exc.messages)
            if problem:
                errors.append(UserError(problem, "contact", None, name))
    if errors:
        raise ValidationError(errors)
    return clean


def _person_name_errors(values: Mapping[str, str | None]) -> list[UserError]:
    labels = {
        "first_name": gettext_noop("The first name"),
        "last_name": gettext_noop("The last name"),
        "im_display_name": gettext_noop("The IM display name"),
    }
    errors = []
    for name, value in values.items():
        problem = text_rule(value, gettext(labels[name])) if value else None
        if problem:
            errors.append(UserError(problem, name))
    return errors


@transaction.atomic
def save_contact(
    profile: UserProfile, values: Mapping[str, Any], first_name: str | None, last_name: str | None
) -> UserProfile:
    """Changes the contact fields in `values` (the others keep theirs) and the first and last name of the profile's
    user; the profile's timestamp becomes now. The portal page and PUT /my/contact-information store through here."""
    names = {"first_name": (first_name or "").strip(), "last_name": (last_name or "").strip()}
    errors = _person_name_errors(names)
    try:
        values = clean_contact(values)
    except ValidationError as exc:
        errors += exc.error_list
    _refuse(errors)
    before = _stored_contact(profile, [*values, *names])
    for name, value in values.items():
        setattr(profile, name, value)
    profile.timestamp = _now_ms()
    profile.save()
    user = profile.user
    user.first_name, user.last_name = names["first_name"], names["last_name"]
    user.save(update_fields=["first_name", "last_name"])
    audit.record("user", user.username, before, {**values, **names})
    return profile


def _stored_contact(profile: UserProfile, fields: Sequence[str]) -> dict[str, Any]:
    """The stored values of a profile's `fields` (first and last name from its user), read again: a form has
    already set its values on the instance it edits. One query."""
    columns = {name: f"user__{name}" if name in ("first_name", "last_name") else name for name in fields}
    row = UserProfile.objects.filter(pk=profile.pk).values(*columns.values()).first() if profile.pk else None
    return {name: (row or {}).get(column) for name, column in columns.items()}


def _now_ms() -> int:
    """The contact information's timestamp (sipXconfig's, epoch milliseconds)."""
    return int(time.time() * 1000)
