"""The portal's call pages (mounted at /cdrs/my/, next to the admin's call pages; the call box beside them is
apps/callcontrol/portal_urls.py). Their CSV export is the admin's `cdrs:cdr_csv`, which gives users their own."""

from django.urls import path

from apps.cdrs import portal_views

app_name = "portal-cdrs"

urlpatterns = [
    path("active/", portal_views.MyActiveCallsView.as_view(), name="my_active_calls"),
    path("history/", portal_views.MyCdrListView.as_view(), name="my_cdr_list"),
]
