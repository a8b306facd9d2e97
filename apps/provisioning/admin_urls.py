"""The admin's provisioning pages, under /provisioning/ (the phones' files are under /provision/, urls.py)."""

from django.urls import path

from apps.provisioning import admin_views, views

app_name = "provisioning"

urlpatterns = [
    path("", views.CredentialView.as_view(), name="credential"),
    path("phones/<int:pk>/preview/<path:name>", admin_views.PreviewView.as_view(), name="preview"),
    path("phones/<int:pk>/resync/", admin_views.ResyncView.as_view(), name="resync"),
    path("resync/", admin_views.BulkResyncView.as_view(), name="resync_log"),
    path("resync/<int:pk>/", admin_views.ResyncStatusView.as_view(), name="resync_status"),
    path("unknown/", admin_views.UnknownPhoneListView.as_view(), name="unknown_list"),
    path("unknown/<int:pk>/add/", admin_views.AdoptView.as_view(), name="unknown_add"),
    path("unknown/<int:pk>/forget/", admin_views.ForgetUnknownView.as_view(), name="unknown_forget"),
    path("firmware/", admin_views.FirmwareView.as_view(), name="firmware"),
    path("firmware/<int:pk>/delete/", admin_views.FirmwareDeleteView.as_view(), name="firmware_delete"),
]
