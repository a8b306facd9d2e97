"""The portal's voicemail page (mounted at /portal/voicemail/): the logged-in user's own mailbox; its new-feed-key
button is the login details page's view, coming back here."""

from django.urls import path

from apps.users.portal_views import FeedKeyView
from apps.voicemail import email_views, portal_views

app_name = "portal-voicemail"

urlpatterns = [
    path("", portal_views.MyMailboxView.as_view(), name="mailbox"),
    path("messages/<str:message_id>/audio", portal_views.MyMessageAudioView.as_view(), name="audio"),
    path("messages/<str:message_id>/action/", portal_views.MyMessageActionView.as_view(), name="action"),
    path("greeting/", portal_views.MyActiveGreetingView.as_view(), name="greeting"),
    path("email/", email_views.MyEmailModeView.as_view(), name="email"),
    path("greetings/upload/", portal_views.MyGreetingUploadView.as_view(), name="greeting_upload"),
    path("greetings/<str:kind>/audio", portal_views.MyGreetingAudioView.as_view(), name="greeting_audio"),
    path("greetings/<str:kind>/delete/", portal_views.MyGreetingDeleteView.as_view(), name="greeting_delete"),
    path("feed-key/", FeedKeyView.as_view(success_url="portal-voicemail:mailbox"), name="feed_key"),
]
