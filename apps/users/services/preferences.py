"""A user's own settings of the pages and the clock: the time zone (an IANA name) and the language of the pages."""

import functools
import zoneinfo

from django.utils.translation import gettext

from apps.users.services.text import text_rule


def time_zone_rule(name: str) -> str | None:
    """Why `name` is no time zone this server knows (IANA names such as Europe/Berlin), or None; "" is the server's
    default zone (settings.TIME_ZONE)."""
    if name == "":
        return None
    problem = text_rule(name, gettext("The time zone"))
    if problem:
        return problem
    if name not in available_time_zones():
        return gettext('"%(name)s" is not a time zone name (such as Europe/Berlin or America/New_York).') % {
            "name": name
        }
    return None


def language_rule(code: str) -> str | None:
    """Why `code` is no language of the pages (settings.LANGUAGES: en, de), or None; "" is the browser's choice."""
    from django.conf import settings

    if code == "" or code in dict(settings.LANGUAGES):
        return None
    names = ", ".join(f'"{c}"' for c, _ in settings.LANGUAGES)
    return gettext('"%(code)s" is not a language of the pages (%(names)s, or "" for the browser\'s).') % {
        "code": code,
        "names": names,
    }


@functools.cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
