"""The portal's voicemail page (mounted at /portal/voicemail/): the logged-in user's own mailbox; its new-feed-key
button is the login details page's view, coming back here."""

from django.urls import path

from apps.users.portal_views import FeedKeyView
from apps.voicemail import views

app_name = "portal-voicemail"

urlpatterns = [
    path("", views.MailboxView.as_view(), name="mailbox"),
    path("messages/<str:message_id>/audio", views.MessageAudioView.as_view(), name="audio"),
    path("messages/<str:message_id>/action/", views.MessageActionView.as_view(), name="action"),
    path("greeting/", views.ActiveGreetingView.as_view(), name="greeting"),
    path("greetings/upload/", views.GreetingUploadView.as_view(), name="greeting_upload"),
    path("greetings/<str:kind>/audio", views.GreetingAudioView.as_view(), name="greeting_audio"),
    path("greetings/<str:kind>/delete/", views.GreetingDeleteView.as_view(), name="greeting_delete"),
    path("feed-key/", FeedKeyView.as_view(success_url="portal-voicemail:mailbox"), name="feed_key"),
]
