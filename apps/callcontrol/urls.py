"""The portal's call box page. Mounted under `cdrs/` (sipxweb/urls.py) so that it keeps its path next to the
user's own call pages (`/cdrs/my/active/`, `/cdrs/my/history/`)."""

from django.urls import path

from apps.callcontrol import views

app_name = "callcontrol"

urlpatterns = [
    path("my/call/", views.CallBoxView.as_view(), name="call_box"),
]
