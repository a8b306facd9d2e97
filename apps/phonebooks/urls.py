"""Admin pages for phonebooks (mounted at /phonebooks/)."""

from django.urls import path

from apps.phonebooks import views

app_name = "phonebooks"

urlpatterns = [
    path("", views.PhonebookListView.as_view(), name="phonebook_list"),
    path("add/", views.PhonebookCreateView.as_view(), name="phonebook_add"),
    path("settings/", views.PhonebookSettingsView.as_view(), name="settings"),
    path("<int:pk>/", views.PhonebookDetailView.as_view(), name="phonebook_detail"),
    path("<int:pk>/edit/", views.PhonebookUpdateView.as_view(), name="phonebook_edit"),
    path("<int:pk>/delete/", views.PhonebookDeleteView.as_view(), name="phonebook_delete"),
    path("<int:pk>/import/", views.PhonebookImportView.as_view(), name="phonebook_import"),
    path("<int:pk>/import/confirm/", views.PhonebookImportConfirmView.as_view(), name="phonebook_import_confirm"),
    path("<int:pk>/entries/add/", views.SharedEntryFormView.as_view(), name="entry_add"),
    path("<int:pk>/entries/<int:entry>/", views.SharedEntryFormView.as_view(), name="entry_edit"),
    path("<int:pk>/entries/<int:entry>/delete/", views.SharedEntryDeleteView.as_view(), name="entry_delete"),
    path("<int:pk>/export/", views.PhonebookExportView.as_view(), name="phonebook_export"),
]
