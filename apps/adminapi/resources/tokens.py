"""/api/v1/tokens: a user's API tokens. Created with the user's PIN (Basic or Digest) or the browser session, never
with a token; an administrator's tokens reach the admin JSON API, anyone's their own /my data."""

from datetime import datetime

from django.utils.dateparse import parse_datetime
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.adminapi import base
from apps.adminapi.permissions import IsApiUser
from apps.pbxdata.schema import PbxDataError, check_keys, show
from apps.users import tokens
from apps.users.models import ApiToken
from apps.users.services import UserError

FIELDS = ("name", "scope", "expires")


def represent(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "scope": token.scope,
        "user": token.user.username,
        "created": token.created.isoformat(),
        "expires": token.expires.isoformat() if token.expires else None,
        "lastUsed": token.last_used.isoformat() if token.last_used else None,
        "revoked": token.revoked.isoformat() if token.revoked else None,
    }


def _expiry(value) -> datetime | None:
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise PbxDataError("expires", f"{show(value)} is not an ISO 8601 date and time (or null)")
    if parsed.tzinfo is None:
        raise PbxDataError("expires", "needs a time zone (such as Z or +01:00)")
    return parsed


class TokenViewSet(base.ApiView, viewsets.ViewSet):
    permission_classes = [IsApiUser]
    pagination_class = base.Page

    def list(self, request):
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(tokens.tokens_of(request.user).order_by("-created", "-id"), request, self)
        return paginator.get_paginated_response([represent(t) for t in rows])

    def create(self, request):
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied("A token cannot create tokens; authenticate with your PIN.")
        body = request.data
        check_keys(body, "", FIELDS)
        name, scope = body.get("name"), body.get("scope", ApiToken.Scope.READ)
        if not isinstance(name, str):
            raise PbxDataError("name", "is required: a string naming the token")
        if not isinstance(scope, str):
            raise PbxDataError("scope", 'is "read" or "write"')
        try:
            token, secret = tokens.create_token(request.user, name, scope, _expiry(body.get("expires")))
        except UserError as exc:
            raise PbxDataError(exc.field, " ".join(exc.messages)) from None
        shown = {k: represent(token)[k] for k in ("id", "name", "scope", "expires")}
        return Response({**shown, "token": secret}, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(represent(self._token(pk)))

    def destroy(self, request, pk=None):
        tokens.revoke_token(self._token(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _token(self, pk) -> ApiToken:
        token = tokens.tokens_of(self.request.user).filter(pk=pk).first() if str(pk).isdigit() else None
        if token is None:
            from django.http import Http404

            raise Http404(f"There is no token {show(pk)}.")
        return token
