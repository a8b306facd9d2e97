"""Call records URIs: active calls (B.2.4, B.3.13) and call-state event ingestion."""

from django.urls import path

from apps.cdrs.api import views
from sipxweb.rest.routes import my_paths

app_name = "cdrs-api"

urlpatterns = [
    *my_paths("activecdrs", views.MyActiveCdrsView.as_view(), name="my-activecdrs"),
    path("activecdrs/<str:user>", views.ActiveCdrsView.as_view(), name="activecdrs"),
    path("cse", views.CallStateEventsView.as_view(), name="cse"),
]
