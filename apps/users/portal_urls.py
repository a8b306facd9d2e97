"""End-user portal pages (mounted at /portal/)."""

from django.urls import path

from apps.users import portal_views, token_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.PortalHomeView.as_view(), name="home"),
    path("contact/", portal_views.ContactView.as_view(), name="contact"),
    path("forward/", portal_views.ForwardView.as_view(), name="forward"),
    path("voicemail-pin/", portal_views.VoicemailPinView.as_view(), name="voicemail_pin"),
    path("pin/", portal_views.PortalPinView.as_view(), name="portal_pin"),
    path("login-details/", portal_views.LoginDetailsView.as_view(), name="login_details"),
    path("login-details/sip-password/", portal_views.SipPasswordView.as_view(), name="sip_password"),
    path("feed-key/", portal_views.FeedKeyView.as_view(), name="feed_key"),
    path("availability/", portal_views.AvailabilityView.as_view(), name="availability"),
    path("away/", portal_views.AwayListView.as_view(), name="away_list"),
    path("away/<int:pk>/", portal_views.AwayEditView.as_view(), name="away_edit"),
    path("away/<int:pk>/delete/", portal_views.AwayDeleteView.as_view(), name="away_delete"),
    path("time-zone/", portal_views.TimeZoneView.as_view(), name="time_zone"),
    path("tokens/", token_views.MyTokenListView.as_view(), name="token_list"),
    path("tokens/add/", token_views.MyTokenCreateView.as_view(), name="token_add"),
    path("tokens/<int:pk>/revoke/", token_views.MyTokenRevokeView.as_view(), name="token_revoke"),
]
