"""Django authentication backend for the HTML login: any login name (user name, alias, IM id) + portal PIN."""

from django.contrib.auth.backends import BaseBackend

from apps.users.credentials import authenticate_pin
from apps.users.models import User


class LoginNameBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        return authenticate_pin(username, password)

    def get_user(self, user_id):
        return User.objects.filter(pk=user_id, is_active=True).first()

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and user_obj.is_admin
