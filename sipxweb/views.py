"""Project-level pages: home (an administrator's overview, a user's portal), login, logout, health check, and the error
pages: 400/403/404/500 inside the layout for the pages, the API's own error body under the API prefixes."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults

from sipxweb import bounds
from sipxweb.rest.errors import error_response

log = logging.getLogger(__name__)


@login_required
def home(request):
    """An administrator's overview of the PBX; a user's home is the portal's. What other apps report on the overview
    (settings.ADMIN_HOME_SECTIONS, the media server's state) comes above the summary (apps.dashboard)."""
    if not request.user.is_admin:
        return redirect("portal:home")
    sections = [import_string(path)(request) for path in settings.ADMIN_HOME_SECTIONS]
    return render(request, "home.html", {"sections": sections, "title": _("Overview")})


def healthz(request):
    """Unauthenticated and trivial: load balancers probe it; bench/auth.py uses it as the baseline."""
    return HttpResponse("ok", content_type="text/plain")


class LogoutView(auth_views.LogoutView):
    """Logs out; the login page it leads to then says so (a message of the new, anonymous session)."""

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, _("You have been logged out."))
        return response


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_form_class(self):
        # settings.LOGIN_FORM names the form (the users app's, with the lockout): the floor imports no app.
        return import_string(settings.LOGIN_FORM)


def _api_error(request, status: int, sentence: str, code: str) -> HttpResponse | None:
    """The error in the layout of the API the path belongs to (as the request gate answers, sipxweb/bounds.py), or
    None for a page. Programs read these answers: an HTML page would break their parsing."""
    for prefix, responder in settings.API_ERROR_LAYOUTS.items():
        if request.path_info.startswith(prefix):
            return import_string(responder)(status, sentence)
    if bounds.is_api(request.path_info):
        return error_response(status, sentence, code)
    return None


def bad_request(request, exception):
    return _api_error(request, 400, "The request was not understood.", "invalid") or defaults.bad_request(
        request, exception
    )


def permission_denied(request, exception):
    return _api_error(
        request, 403, "You do not have permission to do this.", "permission_denied"
    ) or defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    return _api_error(request, 404, f"There is no resource at {request.path}.", "not_found") or defaults.page_not_found(
        request, exception
    )


def server_error(request):
    """The 500 page with the layout and the logged-in user's menus. Rendering those needs the session and the
    database, which may be what failed: then the page without them (Django's handler, no request context)."""
    api = _api_error(request, 500, "The server failed to answer; the error is in its log.", "error")
    if api is not None:
        return api
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:  # noqa: BLE001 - whatever broke the request may break its menus too
        log.warning("the 500 page could not show the menus; showed it without them", exc_info=True)
        return defaults.server_error(request)
    return HttpResponse(body, status=500)
