"""The portal's routing preview page (mounted at /portal/routing/): the logged-in user's own route."""

from django.urls import path

from apps.sipproxy import views

app_name = "portal-routing"

urlpatterns = [path("", views.MyRoutingView.as_view(), name="my_routing")]
