"""sipXconfig user URIs: /my/logindetails, /my/voicemail/pin/{pin}, /my/contact-information, /my/forward,
and the avatar picture (docs/compatibility.md B.3.2, B.3.3, B.3.9, B.3.12, A.3)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from apps.users import services
from apps.users.api import serializers
from apps.users.api.serializers import CallSequenceSerializer, ContactInformationSerializer, LoginDetailsSerializer
from apps.users.avatar import avatar_svg
from apps.users.models import User, UserProfile
from sipxweb.rest.fields import represent
from sipxweb.rest.views import WireView, empty_ok


class LoginDetailsView(WireView):
    """The caller's canonical user name, IM id and SIP password (clients log in with an alias and learn these)."""

    wire_root = serializers.LOGIN_DETAILS_ROOT

    @extend_schema(responses=LoginDetailsSerializer, summary="Login details of the caller")
    def get(self, request, **kwargs):
        response = self.document(represent(LoginDetailsSerializer, request.user))
        # It carries the SIP password: no browser or proxy cache may keep a copy.
        response["Cache-Control"] = "no-store"
        return response


class VoicemailPinView(WireView):
    """Sets the caller's voicemail (telephone UI) PIN; the portal PIN is unchanged (4.6, D5)."""

    allow_empty_put = True

    @extend_schema(
        request=None, responses={200: OpenApiResponse(description="PIN changed")}, summary="Change the voicemail PIN"
    )
    def put(self, request, pin, **kwargs):
        try:
            services.set_voicemail_pin(request.user, pin)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return empty_ok()


class ContactInformationView(WireView):
    wire_root = serializers.CONTACT_INFORMATION_ROOT

    def profile(self, request) -> UserProfile:
        profile, _ = UserProfile.objects.select_related("user").get_or_create(user=request.user)
        return profile

    @extend_schema(responses=ContactInformationSerializer, summary="The caller's contact information")
    def get(self, request, **kwargs):
        serializer = ContactInformationSerializer(self.profile(request), context={"request": request})
        return self.document(serializer.data)

    @extend_schema(request=ContactInformationSerializer, responses={200: OpenApiResponse(description="Stored")})
    def put(self, request, **kwargs):
        serializer = ContactInformationSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user_data = data.pop("user", {})
        # Full replacement, as sipXconfig did: what the body omits is cleared (the read-only fields are kept).
        defaults = services.contact_defaults()
        values = {
            name: data.get(name, defaults[name]) for name in ContactInformationSerializer.writable_profile_fields()
        }
        try:
            services.save_contact(
                self.profile(request), values, user_data.get("first_name"), user_data.get("last_name")
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return empty_ok()


class ForwardView(WireView):
    wire_root = serializers.CALL_SEQUENCE_ROOT

    @extend_schema(responses=CallSequenceSerializer, summary="The caller's call forwarding")
    def get(self, request, **kwargs):
        user = User.objects.prefetch_related("rings").get(pk=request.user.pk)
        return self.document(represent(CallSequenceSerializer, user))

    @extend_schema(request=CallSequenceSerializer, responses={200: OpenApiResponse(description="Stored")})
    def put(self, request, **kwargs):
        serializer = CallSequenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        timer, rings = serializer.forwarding()
        try:
            services.set_forwarding(request.user, timer, rings)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return empty_ok()


class AvatarView(WireView):
    """A user's picture for the contact information's `avatar` URL; no authentication (B.1.3)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(description="SVG picture")})
    def get(self, request, user, **kwargs):
        found = User.objects.filter(username=user).only("username", "first_name", "last_name").first()
        if found is None:
            raise Http404(f"There is no user {user!r}.")
        response = HttpResponse(avatar_svg(found), content_type="image/svg+xml")
        response["Cache-Control"] = "public, max-age=3600"
        return response
