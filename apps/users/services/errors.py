"""How a rule of this package refuses a value: `UserError`, naming the field at fault (the UserRecord field; the
HTML forms use the same names), so pages show it next to the field and the data file names the path of the offending
key; with the helpers that group refusals by field, mark the item of a batch and raise the first one. Every other
module of the package raises it, so it lives in a module that imports none of them."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError


class UserError(ValidationError):
    """A refused value. `field` is the UserRecord field (the forms' field of the same name); `index` the item of
    a list field (an alias, a ring, a group); `key` a part of it (a ring's attribute, a contact field, a login name
    of `digest_ha1`) and `part` an address key. In a batch, `item` is the record's index."""

    def __init__(self, message: str, field: str, index=None, key=None, part=None, code=None):
        super().__init__(message, code=code)
        self.field, self.index, self.key, self.part, self.item = field, index, key, part, None


def _at(error: UserError, item: int) -> UserError:
    """`error` as the refusal of item `item` of a batch."""
    error.item = item
    return error


def by_field(errors: Sequence[UserError]) -> ValidationError:
    """The errors as one ValidationError keyed by field, as forms show them."""
    grouped: dict[str, list[UserError]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error)
    return ValidationError(grouped)


def first_error(exc: ValidationError) -> UserError:
    """The first UserError of a refusal raised here (the data file names one path)."""
    errors = exc.error_list if not hasattr(exc, "error_dict") else [e for v in exc.error_dict.values() for e in v]
    return next(e for e in errors if isinstance(e, UserError))


def _refuse(errors: list[UserError]) -> None:
    if errors:
        raise by_field(errors)


def _first(errors: list[UserError]) -> None:
    if errors:
        raise errors[0]
