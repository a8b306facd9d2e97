"""Admin pages for users, groups and API tokens (mounted at /users/)."""

from django.urls import path

from apps.users import token_views, views

app_name = "users"

urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("add/", views.UserCreateView.as_view(), name="user_add"),
    path("<int:pk>/", views.UserUpdateView.as_view(), name="user_edit"),
    path("<int:pk>/delete/", views.UserDeleteView.as_view(), name="user_delete"),
    path("<int:user_pk>/away/", views.UserAwayListView.as_view(), name="away_list"),
    path("<int:user_pk>/away/<int:pk>/", views.UserAwayEditView.as_view(), name="away_edit"),
    path("<int:user_pk>/away/<int:pk>/delete/", views.UserAwayDeleteView.as_view(), name="away_delete"),
    path("groups/", views.UserGroupListView.as_view(), name="group_list"),
    path("groups/add/", views.UserGroupCreateView.as_view(), name="group_add"),
    path("groups/<int:pk>/", views.UserGroupUpdateView.as_view(), name="group_edit"),
    path("groups/<int:pk>/delete/", views.UserGroupDeleteView.as_view(), name="group_delete"),
    path("tokens/", token_views.TokenListView.as_view(), name="token_list"),
    path("tokens/add/", token_views.TokenCreateView.as_view(), name="token_add"),
    path("tokens/<int:pk>/revoke/", token_views.TokenRevokeView.as_view(), name="token_revoke"),
]
