"""The portal's call box (mounted at /cdrs/my/ by sipxweb/urls.py, so that it keeps its path next to the user's own
call pages `/cdrs/my/active/` and `/cdrs/my/history/`, apps/cdrs/portal_urls.py). Call control has no admin pages."""

from django.urls import path

from apps.callcontrol import portal_views

app_name = "portal-callcontrol"

urlpatterns = [
    path("call/", portal_views.CallBoxView.as_view(), name="call_box"),
]
