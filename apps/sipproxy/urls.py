"""The admin's routing pages (mounted at /routing/): the routing preview and the dial plan."""

from django.urls import path

from apps.sipproxy import views

app_name = "routing"

urlpatterns = [
    path("", views.RoutingView.as_view(), name="routing"),
    path("dial-plan/", views.DialPlanView.as_view(), name="dial_plan"),
]
