"""The admin's provisioning pages, under /provisioning/ (the phones' files are under /provision/, urls.py)."""

from django.urls import path

from apps.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.CredentialView.as_view(), name="credential"),
]
