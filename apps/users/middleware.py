"""Every page in the logged-in user's time zone (User.time_zone; none chosen: settings.TIME_ZONE): Django shows
aware dates and times in the active zone and reads the forms' naive ones in it."""

import zoneinfo

from django.utils import timezone


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        name = user.time_zone if user is not None and user.is_authenticated else ""
        try:
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()  # a zone this server no longer knows: the default one
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
