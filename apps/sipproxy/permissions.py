"""The SIP proxy's service credential: `Authorization: Bearer <SIPPROXY_TOKEN>`. It is no user and no PBX admin:
the views that name this class (call-state events, the route lookup) accept it, every other URI refuses it
(DRF sees no user, so IsPbxUser fails)."""

import hmac

from django.conf import settings
from rest_framework.permissions import BasePermission


def is_proxy_request(request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), settings.SIPPROXY_TOKEN.encode())


class IsSipProxy(BasePermission):
    message = "Only the SIP proxy's service credential may use this URI."

    def has_permission(self, request, view):
        return is_proxy_request(request)
