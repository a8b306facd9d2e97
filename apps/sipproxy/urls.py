"""The admin's routing preview page (mounted at /routing/)."""

from django.urls import path

from apps.sipproxy import views

app_name = "routing"

urlpatterns = [path("", views.RoutingView.as_view(), name="routing")]
