"""Who is acting: set once per request (AuditContextMiddleware) or per command (`acting`), read by `record` when a
service writes. The services never look at requests; the actor is read at the moment of the change, so a user whom
DRF authenticated inside the view (Basic, Digest, a token) is the one recorded."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Actor:
    channel: str
    request: object | None = None  # the HttpRequest: its `user` is read when a change is recorded
    name: str = ""  # a command's actor (import_pbx --as ...), or the system
    address: str = ""

    def who(self) -> str:
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.get_username()
        return self.name


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def current() -> Actor:
    return _current.get() or Actor("system")


@contextmanager
def acting(channel: str, name: str = "", request=None, address: str = ""):
    token = _current.set(Actor(channel, request, name, address))
    try:
        yield
    finally:
        _current.reset(token)


API_PREFIX = "/api/"
REST_PREFIX = "/sipxconfig/rest/"


def channel_of(path: str) -> str:
    if path.startswith(API_PREFIX):
        return "api"
    if path.startswith(REST_PREFIX) or path.startswith("/cse") or path.startswith("/callcontroller"):
        return "rest"
    return "page"


class AuditContextMiddleware:
    """Every request acts as its user, through the channel its path belongs to, from its client's address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = _address(request)
        with acting(channel_of(request.path_info), request=request, address=address):
            return self.get_response(request)


def _address(request) -> str:
    # The rule of apps/users/lockout.client_address, kept here as the floor may not import apps.users.
    if settings.TRUST_PROXY_HEADERS:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")
