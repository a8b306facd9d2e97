"""The files phones fetch, under /provision/ (docs/provisioning.md)."""

from django.urls import path

from apps.provisioning import views

app_name = "provision"

urlpatterns = [
    path("", views.root, name="root"),
    path("firmware/<int:pk>/<str:filename>", views.firmware, name="firmware"),
    path("<path:name>", views.serve, name="file"),
]
