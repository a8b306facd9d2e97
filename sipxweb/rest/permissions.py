"""Roles of docs/compatibility.md A.4 / B.1.3: every user (ROLE_USER), admins (ROLE_ADMIN), attendant admins."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def read_only_token(request) -> bool:
    """A read-only API token (apps/users/tokens.py) was presented: it may read, never change anything."""
    return request.auth is not None and getattr(request.auth, "writable", True) is False


class IsPbxUser(BasePermission):
    message = "Log in as a PBX user to use this URI."

    def has_permission(self, request, view):
        user = request.user
        if read_only_token(request) and request.method not in SAFE_METHODS:
            self.message = "This API token is read-only."
            return False
        return bool(user and user.is_authenticated and user.is_active)


class IsPbxAdmin(BasePermission):
    message = "Only administrators may use this URI."

    def has_permission(self, request, view):
        return IsPbxUser().has_permission(request, view) and request.user.is_admin


class IsAttendantAdmin(BasePermission):
    message = "Only administrators and attendant administrators may use this URI."

    def has_permission(self, request, view):
        user = request.user
        return IsPbxUser().has_permission(request, view) and (user.is_admin or user.perm_attendant_admin)
