"""Admin conference pages (mounted at /conferences/)."""

from django.urls import path

from apps.conferences import views
from apps.conferences.participant_views import ParticipantActionView

app_name = "conferences"

urlpatterns = [
    path("", views.ConferenceListView.as_view(), name="conference_list"),
    path("add/", views.ConferenceCreateView.as_view(), name="conference_add"),
    path("<int:pk>/", views.ConferenceUpdateView.as_view(), name="conference_edit"),
    path("<int:pk>/delete/", views.ConferenceDeleteView.as_view(), name="conference_delete"),
    path(
        "<int:pk>/participants/<int:participant>/<slug:action>/",
        ParticipantActionView.as_view(back="conferences:conference_edit"),
        name="participant_action",
    ),
]
