"""Voicemail URIs, written out one by one; `my_paths` adds each `/private/{key}/...` alias (B.1.1)."""

from django.urls import path

from apps.voicemail.api import views
from sipxweb.rest.routes import my_paths

app_name = "voicemail-api"

urlpatterns = [
    *my_paths("feed/voicemail/<str:folder>", views.FeedView.as_view(), name="feed"),
    *my_paths("voicemail/<str:folder>/<str:message_id>", views.AudioView.as_view(), name="audio"),
    *my_paths(
        "mailbox/<str:user>/preferences/activegreeting", views.ActiveGreetingView.as_view(), name="activegreeting"
    ),
    *my_paths(
        "mailbox/<str:user>/preferences/activegreeting/<str:greeting>",
        views.SetActiveGreetingView.as_view(),
        name="activegreeting-set",
    ),
    path("mailbox/<str:user>/messages", views.DepositView.as_view(), name="deposit"),
]
