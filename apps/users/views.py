"""Admin HTML pages for users and groups."""

from django.contrib.auth.mixins import UserPassesTestMixin
from django.views.generic import ListView

from apps.users.models import User


class UserListView(UserPassesTestMixin, ListView):
    model = User
    template_name = "users/user_list.html"
    paginate_by = 25

    def test_func(self):
        return self.request.user.is_authenticated and self.request.user.is_admin
