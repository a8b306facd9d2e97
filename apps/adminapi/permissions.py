"""Who may use the admin JSON API: administrators (PIN by Basic or Digest, an admin's token, the admin's browser
session); a read-only token only reads."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from sipxweb.rest.permissions import IsPbxAdmin, IsPbxUser, read_only_token


class IsApiAdmin(BasePermission):
    message = "Only administrators may use the admin JSON API."

    def has_permission(self, request, view):
        if read_only_token(request) and request.method not in SAFE_METHODS:
            self.message = "This API token is read-only."
            return False
        return IsPbxAdmin().has_permission(request, view)


class IsApiUser(BasePermission):
    """Any enabled user (their own tokens, their own /my data); a read-only token only reads."""

    message = "Log in as a PBX user to use this URI."

    def has_permission(self, request, view):
        permission = IsPbxUser()
        allowed = permission.has_permission(request, view)
        self.message = permission.message
        return allowed
