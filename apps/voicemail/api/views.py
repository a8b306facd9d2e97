"""Voicemail URIs: the RSS feed (B.3.4), the audio download (D14), the active greeting (B.3.10, D3) and the
deposit of new messages by the media server (`POST /mailbox/{user}/messages`, admin)."""

from urllib.parse import quote

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.users.lookup import find_user
from apps.voicemail import services
from apps.voicemail.api import serializers
from apps.voicemail.api.serializers import DepositedMessageSerializer, DepositSerializer
from apps.voicemail.feed import render_feed
from apps.voicemail.models import Folder, Message
from sipxweb.ranges import file_response
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.renderers import (
    AnyFileRenderer,
    PlainTextRenderer,
    PreRenderedXMLRenderer,
    RSSRenderer,
    XStreamJSONRenderer,
    XStreamXMLRenderer,
)
from sipxweb.rest.views import WireView, empty_ok


def folder_or_404(folder: str) -> str:
    if folder not in Folder.values:
        raise Http404(f'There is no voicemail folder "{folder}"; folders are {", ".join(Folder.values)}.')
    return folder


class FeedView(WireView):
    """The caller's messages in `{folder}`, newest first, as RSS 2.0; links absolute (proxy-aware when
    TRUST_PROXY_HEADERS is set, through Django's build_absolute_uri)."""

    renderer_classes = [RSSRenderer]

    @extend_schema(
        responses={(200, "application/rss+xml"): OpenApiResponse(description="RSS 2.0")}, summary="Voicemail feed"
    )
    def get(self, request, folder, **kwargs):
        folder_or_404(folder)
        user = request.user
        messages = Message.objects.filter(user=user, folder=folder).only(
            "message_id", "folder", "subject", "sender_brief", "received", "duration", "format"
        )
        # One reverse() for the whole feed: every item link is this folder's prefix + the message id.
        prefix = request.build_absolute_uri(
            reverse("voicemail-api:private-audio", kwargs={"key": user.feed_key, "folder": folder, "message_id": "0"})
        )[:-1]
        body = render_feed(
            user,
            folder,
            messages,
            channel_link=request.build_absolute_uri(),
            item_link=lambda m: prefix + quote(m.message_id, safe=""),
        )
        return Response(body, content_type="application/rss+xml; charset=utf-8")


class AudioView(WireView):
    """D14: the recording of one of the caller's messages, streamed, with byte ranges."""

    renderer_classes = [AnyFileRenderer]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={(200, "audio/wav"): OpenApiResponse(description="The recording"), 206: None, 416: None},
        summary="Voicemail audio",
    )
    def get(self, request, folder, message_id, **kwargs):
        folder_or_404(folder)
        message = Message.objects.filter(user=request.user, folder=folder, message_id=message_id).first()
        if message is None or not message.audio:
            raise Http404(f"There is no message {message_id} in your {folder} folder.")
        try:
            return file_response(request, message.audio, message.mime_type, message.filename)
        except FileNotFoundError:
            raise Http404(f"The recording of message {message_id} is missing.") from None


def mailbox_owner(request, name: str):
    """D3: `{user}` must name the caller (apps.users.lookup's rule) unless the caller is an admin."""
    caller = request.user
    if name.lower() in {caller.username.lower(), *(a.lower() for a in caller.aliases)}:
        return caller  # the common case, without a query: the caller's own user name or alias
    owner = find_user(name)
    if owner is not None and owner.pk == caller.pk:
        return caller
    if not caller.is_admin:
        raise PermissionDenied("You may only use your own mailbox.")
    if owner is None:
        raise Http404(f'There is no user "{name}".')
    return owner


class ActiveGreetingView(WireView):
    """GET: the active greeting as bare text (default) or `<activegreeting>` XML with a declaration (D3)."""

    renderer_classes = [PlainTextRenderer, PreRenderedXMLRenderer]

    @extend_schema(
        responses={(200, "text/plain"): OpenApiResponse(description="none|standard|outofoffice|extendedabsence")},
        summary="Active greeting of a mailbox",
    )
    def get(self, request, user, **kwargs):
        value = services.active_greeting(mailbox_owner(request, user))
        if isinstance(request.accepted_renderer, PreRenderedXMLRenderer):
            return Response(serializers.active_greeting_xml(value))
        return Response(value)


class SetActiveGreetingView(WireView):
    """PUT (body required and ignored, B.1.6): makes `{greeting}` active. Unknown greeting -> 400 (D3)."""

    renderer_classes = [PlainTextRenderer]

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Stored")}, summary="Set active greeting")
    def put(self, request, user, greeting, **kwargs):
        owner = mailbox_owner(request, user)
        try:
            services.set_active_greeting(owner, greeting, recorded_only=False)  # as 4.6 (docs/compatibility.md)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return empty_ok()


class DepositView(WireView):
    """The media server delivers a message: multipart `audio`, `from`, `subject` (admins only)."""

    wire_root = serializers.MESSAGE_ROOT
    permission_classes = [IsPbxAdmin]
    parser_classes = [MultiPartParser, FormParser]
    # The recording (services.MAX_AUDIO_BYTES) plus room for the multipart framing, `from` and `subject`.
    max_body_bytes = services.MAX_AUDIO_BYTES + 1024 * 1024
    renderer_classes = [XStreamXMLRenderer, XStreamJSONRenderer]

    @extend_schema(
        request={"multipart/form-data": DepositSerializer},
        responses={201: OpenApiResponse(description="The new message")},
        summary="Deposit a voicemail message",
    )
    def post(self, request, user, **kwargs):
        owner = find_user(user)
        if owner is None:
            raise Http404(f'There is no user "{user}".')
        serializer = DepositSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            message = services.deposit(owner, data["audio"], sender=data["from"], subject=data.get("subject") or "")
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        response = self.document(DepositedMessageSerializer(message).data)
        response.status_code = 201
        return response
