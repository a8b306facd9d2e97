"""System checks of the SIP proxy's settings (run by `manage.py check` and before `migrate`, so `make run` stops
on them): a SIPX_MEDIA_URI naming a placeholder routing.py does not fill would fail every call to a service
number instead of failing once, at start."""

from django.conf import settings
from django.core import checks

from apps.sipproxy.routing import MEDIA_URI_NAMES


@checks.register()
def media_uri(app_configs, **kwargs):
    template = settings.SIPX_MEDIA_URI
    try:
        template.format_map(dict.fromkeys(MEDIA_URI_NAMES, "x"))
    except (KeyError, IndexError, ValueError) as exc:
        return [
            checks.Error(
                f"SIPX_MEDIA_URI {template!r} cannot be filled in ({type(exc).__name__}: {exc}).",
                hint=f"Use only {{{'}, {'.join(MEDIA_URI_NAMES)}}} as placeholders, and {{{{ }}}} for a brace.",
                id="sipproxy.E001",
            )
        ]
    return []
