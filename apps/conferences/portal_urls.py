"""The portal's conference pages (mounted at /portal/conferences/): the logged-in user's rooms."""

from django.urls import path

from apps.conferences import portal_views
from apps.conferences.participant_views import ParticipantActionView

app_name = "portal-conferences"

urlpatterns = [
    path("", portal_views.MyConferenceListView.as_view(), name="conference_list"),
    path("<int:pk>/", portal_views.MyConferenceUpdateView.as_view(), name="conference_edit"),
    path(
        "<int:pk>/participants/<int:participant>/<slug:action>/",
        ParticipantActionView.as_view(back="portal-conferences:conference_edit"),
        name="participant_action",
    ),
]
