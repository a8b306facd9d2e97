"""End-user portal pages (mounted at /portal/)."""

from django.urls import path

from apps.users import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.PortalHomeView.as_view(), name="home"),
]
