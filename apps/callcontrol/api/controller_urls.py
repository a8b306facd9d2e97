"""The sipXrest call controller at the server root (not under /sipxconfig/rest): `/callcontroller/{from}/{to}`.
A missing party still reaches the view, which answers B.4's 400 document."""

from django.urls import re_path

from apps.callcontrol.api import views

app_name = "callcontroller"

urlpatterns = [
    re_path(
        r"^callcontroller(?:/(?P<calling>[^/]*))?(?:/(?P<called>[^/]*))?/?$",
        views.CallControllerView.as_view(),
        name="callcontroller",
    ),
]
