"""`GET /sipproxy/route?to=<dialled>`: Kamailio asks where a new call goes (apps/sipproxy/routing.py). Only the
proxy's service credential may ask; the answer is the flat JSON of `routing.for_kamailio`, errors are
`{"error": "<sentence>"}` with 400 (a malformed request), 403 (no service credential) or 404 (unknown number)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from apps.sipproxy import routing
from apps.sipproxy.permissions import IsSipProxy, is_proxy_request


@require_GET
def route(request):
    if not is_proxy_request(request):
        return JsonResponse({"error": IsSipProxy.message}, status=403)
    try:
        answer = routing.for_kamailio(routing.route_for(request.GET.get("to", "")))
    except routing.BadRequest as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    except routing.UnknownNumber as exc:
        return JsonResponse({"error": str(exc)}, status=404)
    return JsonResponse(answer)
