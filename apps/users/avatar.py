"""A generated avatar: the user's initials on a colour derived from the user name (no external service), and the
URL of it that contact information carries (A.3: the users' and the phonebooks' wire forms)."""

import hashlib

from django.urls import reverse

from apps.users.models import User
from sipxweb import xmltext

_COLOURS = ("#1f6feb", "#8250df", "#bf3989", "#cf222e", "#bc4c00", "#4d2d00", "#1a7f37", "#0a3069")


def initials(user: User) -> str:
    letters = "".join(p[:1] for p in (user.first_name, user.last_name) if p)
    return (letters or user.username[:2]).upper()


def avatar_svg(user: User) -> str:
    colour = _COLOURS[hashlib.md5(user.username.encode()).digest()[0] % len(_COLOURS)]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80">'
        f'<rect width="80" height="80" rx="40" fill="{colour}"/>'
        '<text x="40" y="50" font-family="sans-serif" font-size="30" fill="#fff" text-anchor="middle">'
        f"{xmltext.text(initials(user))}</text></svg>"
    )


def avatar_url(user: User, request=None) -> str:
    """Absolute when a request tells the host (REST answers), else the path."""
    path = reverse("users-api:avatar", args=[user.username])
    return request.build_absolute_uri(path) if request is not None else path
