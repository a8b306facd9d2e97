"""Call pages: admin active calls and call history (with CSV export), the portal's own calls (the call box
next to them is apps/callcontrol/urls.py)."""

from django.urls import path

from apps.cdrs import views

app_name = "cdrs"

urlpatterns = [
    path("active/", views.ActiveCallsView.as_view(), name="active_calls"),
    path("history/", views.CdrListView.as_view(), name="cdr_list"),
    path("history.csv", views.cdr_csv, name="cdr_csv"),
    path("my/active/", views.MyActiveCallsView.as_view(), name="my_active_calls"),
    path("my/history/", views.MyCdrListView.as_view(), name="my_cdr_list"),
]
