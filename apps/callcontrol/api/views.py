"""Click-to-call URIs: `PUT /sipxconfig/rest/my/call/{to}` (and `/call/{to}`, B.3.1) and the sipXrest call
controller `POST|GET /callcontroller/{callingParty}/{calledParty}` (B.4, A.5, D8)."""

import re

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation

from apps.callcontrol import services
from apps.callcontrol.api.errors import processing_status_response
from apps.callcontrol.api.serializers import dialogs_xml, status_lines_xml
from apps.callcontrol.models import CallAttempt
from apps.callcontrol.sip import SipUri
from apps.users.authentication import BasicAuthentication, DigestAuthentication
from apps.users.credentials import find_login
from sipxweb.rest.renderers import PreRenderedXMLRenderer
from sipxweb.rest.views import WireView, empty_ok


class CallView(WireView):
    """Rings the caller's own phones and, once one answers, sends it to `{to}` (the SIP outcome is not
    reported back: GET `/callcontroller/...` shows it). PUT only; the body is optional and ignored."""

    allow_empty_put = True

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Call queued")}, summary="Click to call")
    def put(self, request, to, **kwargs):
        try:
            target = services.check_target(to)
        except services.BadParty as exc:
            raise ValidationError(str(exc)) from None
        try:
            services.click_to_call(request.user, target)
        except services.CallNotAllowed as exc:
            raise PermissionDenied(str(exc)) from None
        return empty_ok()


# A user name, number or user@host: printable, no spaces, quotes or angle brackets (they end up in SIP headers).
_PARTY = re.compile(r"[^\s\x00-\x1f\x7f<>\"]+")


class AnyAccept(BaseContentNegotiation):
    """The call controller answers text/xml whatever the Accept (sipXrest did not negotiate)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


def _xml(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


# Every refusal of these views: the error document the request gate (sipxweb.bounds) sends too.
_error = processing_status_response


@csrf_exempt  # nothing to protect, and the CSRF failure page would be HTML, not the controller's document
def controller_not_found(request, *args, **kwargs):
    """Paths under /callcontroller/ that are not `{callingParty}/{calledParty}`, whatever the method. Control
    characters never get here (sipxweb.bounds refuses them first), so the path is safe to echo."""
    return _error(404, f"There is no call controller resource at {request.path[:200]}.")


controller_not_found.rest_api = True  # its body limit is the REST one (sipxweb.bounds)


def _non_negative(request, name: str, default: int) -> int | HttpResponse:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return _error(400, f"Bad parameter {name} = {raw}")
    if value < 0 or value > 86400:
        return _error(400, f"Bad parameter {name} = {raw}")
    return value


class CallControllerView(WireView):
    """The sipXrest call controller. Digest (or Basic) always (D8): the authenticated user must be the agent
    (`agent`, default the calling party) unless it is an administrator."""

    authentication_classes = [BasicAuthentication, DigestAuthentication]
    renderer_classes = [PreRenderedXMLRenderer]
    content_negotiation_class = AnyAccept
    parser_classes = []

    def _parties(self, request, calling, called):
        if not calling or not called:
            return None, _error(
                400, "Missing a required parameter - need both callingParty and calledParty URL Parameters"
            )
        agent_name = request.query_params.get("agent") or services.default_agent_name(calling)
        for name, value in (("callingParty", calling), ("calledParty", called), ("agent", agent_name)):
            if len(value) > 150 or not _PARTY.fullmatch(value):
                return None, _error(400, f"Bad parameter {name} = {value[:150]}")
        for name, value in (("callingParty", calling), ("calledParty", called)):
            try:
                services.parse_party(value)
            except services.BadParty as exc:
                return None, _error(400, f"Bad parameter {name}: {exc}")
        return agent_name, None

    def _key(self, agent, calling, called) -> str:
        return f"{agent}:{calling}:{called}"

    @extend_schema(
        summary="Call-setup progress",
        parameters=[OpenApiParameter("agent", str)],
        responses={200: OpenApiResponse(description="status-lines or dialogs (text/xml)")},
    )
    def get(self, request, calling=None, called=None, **kwargs):
        agent_name, error = self._parties(request, calling, called)
        if error:
            return error
        login = find_login(agent_name)
        agent = login.user.username if login else agent_name
        attempt = services.latest_attempt(self._key(agent, calling, called))
        if attempt is not None and attempt.agent_id != request.user.pk and not request.user.is_admin:
            attempt = None  # another user's call: nothing to see
        if attempt is not None and attempt.sip_method == CallAttempt.Method.INVITE:
            return _xml(dialogs_xml(attempt))
        return _xml(status_lines_xml(attempt))

    @extend_schema(
        summary="Start a click-to-call",
        request=None,
        parameters=[
            OpenApiParameter(name, str)
            for name in (
                "agent",
                "isForwardingAllowed",
                "subject",
                "timeout",
                "resultCacheTime",
                "sipMethod",
                "confpin",
                "action",
                "target",
            )
        ],
        responses={200: OpenApiResponse(description="Call queued")},
    )
    def post(self, request, calling=None, called=None, **kwargs):
        agent_name, error = self._parties(request, calling, called)
        if error:
            return error
        params = request.query_params
        timeout = _non_negative(request, "timeout", 180)
        if isinstance(timeout, HttpResponse):
            return timeout
        cache_time = _non_negative(request, "resultCacheTime", 180)
        if isinstance(cache_time, HttpResponse):
            return cache_time
        method = (params.get("sipMethod") or "refer").lower()
        if method not in ("refer", "invite"):
            return _error(406, f"Call Setup Method {params.get('sipMethod')} not supported")
        login = find_login(agent_name)
        try:
            # Who may call first: whether another user has a SIP password is none of a user's business.
            services.authorize_call(request.user, calling, login.user if login else None, agent_name)
        except services.CallNotAllowed as exc:
            return _error(403, str(exc))
        if login is None or not login.user.sip_password:
            return _error(403, f"could not find credentials for {agent_name}")
        agent = login.user
        key = self._key(agent.username, calling, called)
        action = (params.get("action") or "call").lower()
        if action == "transfer":
            # Transfer needs a call the agent still holds (INVITE mode); REFER-mode calls leave the agent.
            running = CallAttempt.objects.filter(key=key, state=CallAttempt.State.RUNNING, sip_method="invite")
            if not running.exists() or not params.get("target"):
                return _error(406, "Call not found.", code=403)
            return _error(406, "Transfer of a bridged call is not supported by this agent.", code=403)
        if action != "call":
            return _error(400, f"Bad parameter action = {params.get('action')}")
        if method == "invite" and CallAttempt.objects.filter(key=key, state=CallAttempt.State.RUNNING).exists():
            return _error(406, "Call in progress invite not supported", code=403)
        called_uri = services.party_uri(called)
        confpin = params.get("confpin")
        if confpin and not re.fullmatch(r"[0-9A-Za-z*#]{1,32}", confpin):
            return _error(400, f"Bad parameter confpin = {confpin[:40]}")
        subject = params.get("subject") or ""
        if re.search(r"[\x00-\x1f\x7f]", subject) or len(subject) > 255:
            return _error(400, "Bad parameter subject (at most 255 characters, no control characters)")
        if confpin:
            # A URI header of the Refer-To (sipXecs' conference bridge reads it), written by the builder.
            called_uri = str(SipUri.parse(called_uri).with_headers(("X-ConfPin", confpin)))
        forwarding = (params.get("isForwardingAllowed") or "false").lower() == "true"
        services.queue_call(
            agent,
            services.party_uri(calling),
            called_uri,
            key=key,
            forwarding_allowed=forwarding,
            subject=subject,
            timeout=timeout,
            result_cache_time=cache_time,
            sip_method=method,
        )
        return empty_ok()
