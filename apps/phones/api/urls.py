from django.urls import path

from apps.phones.api import views

app_name = "phones-api"

urlpatterns = [
    path("phone", views.PhonesView.as_view(), name="phones"),
]
