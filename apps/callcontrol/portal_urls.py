"""The portal's click-to-call pages (mounted at /cdrs/my/ by sipxweb/urls.py, so that they keep their paths next to
the user's own call pages `/cdrs/my/active/` and `/cdrs/my/history/`, apps/cdrs/portal_urls.py): the call box and
the progress of a call that every Call button follows. Call control has no admin pages."""

from django.urls import path

from apps.callcontrol import portal_views

app_name = "portal-callcontrol"

urlpatterns = [
    path("call/", portal_views.CallBoxView.as_view(), name="call_box"),
    path("call/progress/", portal_views.CallProgressView.as_view(), name="call_progress"),
]
