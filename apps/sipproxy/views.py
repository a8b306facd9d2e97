"""The routing preview pages: where a call to a number goes now, as Kamailio is told for each new INVITE. Both
pages call `routing.route_for`, the function behind GET /sipproxy/route, so the preview is what the proxy does.

* /routing/ (admins): any dialled number, typed in the page's form (`?to=`);
* /portal/routing/ (every user): the user's own numbers only — the page takes no number, as every portal page
  shows only the logged-in user's data.

The route does not depend on the caller (routing.py asks only for the dialled number), so neither page asks
for one."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from apps.sipproxy import routing
from apps.sipproxy.forms import RoutingForm
from apps.users.models import LoginName
from sipxweb.pages import AdminRequiredMixin


def _names_of(username: str) -> list[str]:
    """The user's name and aliases: the numbers a caller may dial to reach the same route."""
    aliases = LoginName.objects.filter(user__username=username, kind=LoginName.Kind.ALIAS).order_by("name")
    return [username, *aliases.values_list("name", flat=True)]


class RoutingView(AdminRequiredMixin, View):
    """Admins: the route of any dialled number. A malformed number is a 400, an unknown one a 404, each with
    the sentence the route lookup gives Kamailio."""

    template_name = "sipproxy/routing.html"

    def get(self, request):
        form = RoutingForm(request.GET or None)
        context = {"form": form, "title": "Routing", "route": None}
        status = 200
        if form.is_bound and form.is_valid():
            dialled = form.cleaned_data["to"]
            try:
                context["route"] = routing.route_for(dialled)
            except routing.BadRequest as exc:
                form.add_error("to", str(exc))
                status = 400
            except routing.UnknownNumber as exc:
                form.add_error("to", str(exc))
                status = 404
            else:
                context["dialled"] = dialled
                if context["route"].kind == "user":
                    context["names"] = _names_of(context["route"].user)
        elif form.is_bound:
            status = 400
        return render(request, self.template_name, context, status=status)


class MyRoutingView(LoginRequiredMixin, View):
    """Portal: where a call to the logged-in user goes now. No number is read from the request: a user
    previews only their own routing."""

    template_name = "sipproxy/my_routing.html"

    def get(self, request):
        username = request.user.username
        context = {"dialled": username, "names": _names_of(username), "title": "My call routing", "route": None}
        try:
            context["route"] = routing.route_for(username)
        except (routing.BadRequest, routing.UnknownNumber) as exc:
            # A user name no phone can dial (longer than a SIP user part allows, say): the page says so.
            context["problem"] = str(exc)
        return render(request, self.template_name, context)
