"""The sipXrest call controller at the server root (not under /sipxconfig/rest): `/callcontroller/{from}/{to}`.
A missing party still reaches the view, which answers B.4's 400 document; any other path under the prefix
(more segments, an encoded `/` in a party) is a 404 in the same `<processing-status>` layout, not Django's HTML
page: call-controller clients parse that document whatever went wrong."""

from django.urls import re_path

from apps.callcontrol.api import views

app_name = "callcontroller"

urlpatterns = [
    re_path(
        r"^callcontroller(?:/(?P<calling>[^/]*))?(?:/(?P<called>[^/]*))?/?$",
        views.CallControllerView.as_view(),
        name="callcontroller",
    ),
    re_path(r"^callcontroller/[\s\S]*\Z", views.controller_not_found),
]
