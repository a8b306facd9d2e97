"""Portal pages of the caller's phonebook (mounted at /portal/phonebook/)."""

from django.urls import path

from apps.phonebooks import portal_views

app_name = "portal-phonebook"

urlpatterns = [
    path("", portal_views.MyPhonebookView.as_view(), name="phonebook"),
    path("add/", portal_views.EntryCreateView.as_view(), name="entry_add"),
    path("<int:pk>/", portal_views.EntryUpdateView.as_view(), name="entry_edit"),
    path("<int:pk>/delete/", portal_views.EntryDeleteView.as_view(), name="entry_delete"),
    path("show-on-phone/", portal_views.ShowOnPhoneView.as_view(), name="show_on_phone"),
    path("export/", portal_views.ExportView.as_view(), name="export"),
    path("export/own/", portal_views.OwnExportView.as_view(), name="export_own"),
    path("import/", portal_views.ImportView.as_view(), name="import"),
    path("import/confirm/", portal_views.ImportConfirmView.as_view(), name="import_confirm"),
]
