"""Admin call pages (mounted at /cdrs/): active calls and call history with its CSV export (which gives a user
their own calls; the portal's pages are portal_urls.py)."""

from django.urls import path

from apps.cdrs import views

app_name = "cdrs"

urlpatterns = [
    path("active/", views.ActiveCallsView.as_view(), name="active_calls"),
    path("history/", views.CdrListView.as_view(), name="cdr_list"),
    path("history.csv", views.cdr_csv, name="cdr_csv"),
]
