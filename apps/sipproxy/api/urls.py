from django.urls import path

from apps.sipproxy.api import views

app_name = "sipproxy"

urlpatterns = [path("route", views.route, name="route")]
