"""Conference URIs (B.3.11) and their `/private/{key}/...` alias."""

from apps.conferences.api import views
from sipxweb.rest.routes import my_paths

app_name = "conferences-api"

urlpatterns = [
    *my_paths("conferences", views.MyConferencesView.as_view(), name="conferences"),
]
