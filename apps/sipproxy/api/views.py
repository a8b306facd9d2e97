"""`GET /sipproxy/route?to=<dialled>`: Kamailio asks where a new call goes (apps/sipproxy/routing.py). Only the
proxy's service credential may ask; the answer is the flat JSON of `routing.for_kamailio`. Every refusal is
`{"error": "<sentence>"}` (`error_response`, also what sipxweb.bounds answers for this prefix through
settings.API_ERROR_LAYOUTS): 405 another method, 403 no service credential, 400 a malformed request (a
parameter other than one `to`, a `to` that is no dialled number), 404 an unknown number.

A plain Django view, not a DRF one: it is on the path of every call (bench/sipproxy.py), and it needs none of
DRF's negotiation, parsers or authentication classes."""

from django.http import JsonResponse

from apps.sipproxy import routing
from apps.sipproxy.permissions import IsSipProxy, is_proxy_request

PARAMETER = "to"


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _shown(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:40] + "…")


def route(request):
    if request.method != "GET":
        response = error_response(405, f"{request.method} is not allowed here: the route is asked with GET.")
        response["Allow"] = "GET"
        return response
    if not is_proxy_request(request):
        return error_response(403, IsSipProxy.message)
    unknown = sorted(name for name in request.GET if name != PARAMETER)
    if unknown:
        names = ", ".join(_shown(name) for name in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        return error_response(400, f"Unknown parameter {names}: the only parameter is '{PARAMETER}'.")
    if len(request.GET.getlist(PARAMETER)) > 1:
        return error_response(400, f"'{PARAMETER}' is given more than once: send one dialled number.")
    try:
        answer = routing.for_kamailio(routing.route_for(request.GET.get(PARAMETER, "")))
    except routing.BadRequest as exc:
        return error_response(400, str(exc))
    except routing.UnknownNumber as exc:
        return error_response(404, str(exc))
    return JsonResponse(answer)
