"""Admin pages for users and groups (mounted at /users/)."""

from django.urls import path

from apps.users import views

app_name = "users"

urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
]
