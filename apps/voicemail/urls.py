"""Admin voicemail pages (mounted at /voicemail/): every user's mailbox."""

from django.urls import path

from apps.voicemail import email_views, views

app_name = "voicemail"

urlpatterns = [
    path("", views.MailboxListView.as_view(), name="mailbox_list"),
    path("<str:username>/", views.MailboxView.as_view(), name="mailbox"),
    path("<str:username>/messages/<str:message_id>/audio", views.MessageAudioView.as_view(), name="audio"),
    path("<str:username>/messages/<str:message_id>/action/", views.MessageActionView.as_view(), name="action"),
    path("<str:username>/greeting/", views.ActiveGreetingView.as_view(), name="greeting"),
    path("<str:username>/email/", email_views.EmailModeView.as_view(), name="email"),
    path("<str:username>/email/retry/", email_views.EmailRetryView.as_view(), name="email_retry"),
    path("<str:username>/greetings/upload/", views.GreetingUploadView.as_view(), name="greeting_upload"),
    path("<str:username>/greetings/<str:kind>/audio", views.GreetingAudioView.as_view(), name="greeting_audio"),
    path("<str:username>/greetings/<str:kind>/delete/", views.GreetingDeleteView.as_view(), name="greeting_delete"),
]
