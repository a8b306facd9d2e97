"""Every page in the logged-in user's time zone (User.time_zone; none chosen: settings.TIME_ZONE): Django shows
aware dates and times in the active zone and reads the forms' naive ones in it. Every page in the user's language
(User.language; none chosen: the browser's), every API answer in English."""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


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


# Paths whose clients are programs, not people: the sipXconfig REST API, the admin JSON API and its OpenAPI
# description, the call controller, the SIP proxy's routing question and the phones' files. Their answers are a
# contract and stay English whatever the user or the browser asks (tests/users/test_language.py checks that every
# Django REST framework view lies under one of them).
ENGLISH_ONLY_PREFIXES = ("/sipxconfig/rest/", "/api/", "/callcontroller/", "/sipproxy/", "/provision/")


def is_english_only(path: str) -> bool:
    """Whether `path` is an API's (a prefix without its final slash too: /callcontroller, /api)."""
    return (path if path.endswith("/") else path + "/").startswith(ENGLISH_ONLY_PREFIXES)


def page_language(request) -> str:
    """The language of a page: the logged-in user's choice (User.language), else the browser's Accept-Language
    among settings.LANGUAGES, else settings.LANGUAGE_CODE (English)."""
    user = getattr(request, "user", None)
    chosen = user.language if user is not None and user.is_authenticated else ""
    if chosen and translation.check_for_language(chosen) and chosen in dict(settings.LANGUAGES):
        return chosen
    return translation.get_language_from_request(request)


class UserLanguageMiddleware:
    """Pages in the user's language (page_language); the APIs (ENGLISH_ONLY_PREFIXES) always in English. After
    AuthenticationMiddleware (it reads request.user)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page = not is_english_only(request.path_info)
        language = page_language(request) if page else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if page:
            response.headers.setdefault("Content-Language", language)
            patch_vary_headers(response, ("Accept-Language",))
        return response
