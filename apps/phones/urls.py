"""Admin pages for phones (mounted at /phones/)."""

from django.urls import path

from apps.phones import views

app_name = "phones"

urlpatterns = [
    path("", views.PhoneListView.as_view(), name="phone_list"),
    path("add/", views.PhoneCreateView.as_view(), name="phone_add"),
    path("import/", views.PhoneImportView.as_view(), name="phone_import"),
    path("import/confirm/", views.PhoneImportConfirmView.as_view(), name="phone_import_confirm"),
    path("<int:pk>/", views.PhoneUpdateView.as_view(), name="phone_edit"),
    path("<int:pk>/delete/", views.PhoneDeleteView.as_view(), name="phone_delete"),
]
