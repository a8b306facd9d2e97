"""The text rule every stored text of a user, a profile, a ring and a group shares (its length and what a column
can hold), so each field's own rule starts from the same sentence."""

from django.utils.translation import gettext

from sipxweb.text import text_problem_sentence

TEXT_MAX = 255  # every text column of a user, a profile, a ring and a group


def text_rule(value: str, what: str) -> str | None:
    """Why `value` cannot be stored in a text column (too long, NUL, a lone surrogate), or None. `what` is the
    sentence's subject in the active language ("The user name", or a wire name)."""
    if len(value) > TEXT_MAX:
        return gettext("%(subject)s is longer than %(n)s characters.") % {"subject": what, "n": TEXT_MAX}
    return text_problem_sentence(value, what)
