"""sipXconfig user URIs, written out one by one (they are a contract). `my_paths` also registers each
`/my/...` URI under `/private/{key}/...` (B.1.1)."""

from django.urls import path

from apps.users.api import views
from sipxweb.rest.routes import my_paths

app_name = "users-api"

urlpatterns = [
    *my_paths("logindetails", views.LoginDetailsView.as_view(), name="logindetails"),
    *my_paths("voicemail/pin/<str:pin>", views.VoicemailPinView.as_view(), name="voicemail-pin"),
    *my_paths("contact-information", views.ContactInformationView.as_view(), name="contact-information"),
    *my_paths("forward", views.ForwardView.as_view(), name="forward"),
    path("avatar/<str:user>", views.AvatarView.as_view(), name="avatar"),
]
