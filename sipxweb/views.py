"""Project-level pages: home (sends each user to their part of the site), login, health check."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.module_loading import import_string


@login_required
def home(request):
    return redirect("users:user_list" if request.user.is_admin else "portal:home")


def healthz(request):
    """Unauthenticated and trivial: load balancers probe it; bench/auth.py uses it as the baseline."""
    return HttpResponse("ok", content_type="text/plain")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_form_class(self):
        # settings.LOGIN_FORM names the form (the users app's, with the lockout): the floor imports no app.
        return import_string(settings.LOGIN_FORM)
