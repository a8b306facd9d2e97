"""Click-to-call under /sipxconfig/rest/: `/my/call/{to}`, its `/call/{to}` and `/private/{key}/...` aliases (B.1.1)."""

from django.urls import path

from apps.callcontrol.api import views
from sipxweb.rest.routes import my_paths

app_name = "callcontrol-api"

urlpatterns = [
    *my_paths("call/<path:to>", views.CallView.as_view(), name="call"),
    path("call/<path:to>", views.CallView.as_view(), name="call-alias"),
]
