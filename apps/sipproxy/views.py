"""The routing pages: where a call to a number goes now, as Kamailio is told for each new INVITE, and the dial
plan. The previews call `routing.route_for`, the function behind GET /sipproxy/route, so they show what the proxy
does.

* /routing/ (admins): any dialled number, typed in the page's form (`?to=`), and the dial plan's service numbers;
* /portal/routing/ (every user): the user's own numbers only — the page takes no number, as every portal page
  shows only the logged-in user's data — and the service numbers every phone may dial;
* /routing/dial-plan/ (admins): the dial plan's service numbers, saved by dialplan_services.save_dial_plan.

The route does not depend on the caller (routing.py asks only for the dialled number), so no page asks for one."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from apps.sipproxy import dialplan_services, routing
from apps.sipproxy.forms import DialPlanForm, RoutingForm
from apps.users.models import LoginName
from sipxweb.pages import AdminRequiredMixin


def _names_of(username: str) -> list[str]:
    """The user's name and aliases: the numbers a caller may dial to reach the same route."""
    aliases = LoginName.objects.filter(user__username=username, kind=LoginName.Kind.ALIAS).order_by("name")
    return [username, *aliases.values_list("name", flat=True)]


def or_list(items) -> str:
    """`["100", "operator", "0"]` -> "100, operator or 0", in the page's language."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s or %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def problem_text(exc: routing.BadRequest | routing.UnknownNumber) -> str:
    """The route lookup's sentence in the page's language (Kamailio gets it in English: str(exc))."""
    params = {key: _(value) if key == "what" else value for key, value in exc.params.items()}
    return _(exc.template) % params if params else _(exc.template)


def _names_text(names: list[str]) -> str:
    """A user's numbers as the route's sentence names them: "200 or alice" (every one joined by "or")."""
    text = names[0] if names else ""
    for name in names[1:]:
        text = _("%(first)s or %(last)s") % {"first": text, "last": name}
    return text


def _service_numbers() -> list[dict]:
    """Each service of the dial plan that has numbers: its label, its numbers and where a call to them goes now
    (the route of the first: every number of a service reaches the same service and target), or why nowhere."""
    plan = dialplan_services.dial_plan()
    services = []
    for service in dialplan_services.SERVICES:
        numbers = getattr(plan, service)
        if numbers:
            entry = {"service": service, "label": service.label, "numbers": numbers, "numbers_text": or_list(numbers)}
            try:
                entry["route"] = routing.route_for(numbers[0])
            except (routing.BadRequest, routing.UnknownNumber) as exc:
                entry["problem"] = problem_text(exc)
            services.append(entry)
    return services


class RoutingView(AdminRequiredMixin, View):
    """Admins: the route of any dialled number. A malformed number is a 400, an unknown one a 404, each with
    the sentence the route lookup gives Kamailio."""

    template_name = "sipproxy/routing.html"

    def get(self, request):
        form = RoutingForm(request.GET or None)
        context = {"form": form, "title": _("Routing"), "route": None, "service_numbers": _service_numbers()}
        status = 200
        if form.is_bound and form.is_valid():
            dialled = form.cleaned_data["to"]
            try:
                context["route"] = routing.route_for(dialled)
            except routing.BadRequest as exc:
                form.add_error("to", problem_text(exc))
                status = 400
            except routing.UnknownNumber as exc:
                form.add_error("to", problem_text(exc))
                status = 404
            else:
                context["dialled"] = dialled
                if context["route"].kind == "user":
                    context["names"] = _names_of(context["route"].user)
                    context["names_text"] = _names_text(context["names"])
        elif form.is_bound:
            status = 400
        return render(request, self.template_name, context, status=status)


class MyRoutingView(LoginRequiredMixin, View):
    """Portal: where a call to the logged-in user goes now. No number is read from the request: a user
    previews only their own routing."""

    template_name = "sipproxy/my_routing.html"

    def get(self, request):
        username = request.user.username
        names = _names_of(username)
        context = {"dialled": username, "names": names, "names_text": _names_text(names), "route": None}
        context["title"] = _("My call routing")
        context["service_numbers"] = _service_numbers()
        try:
            context["route"] = routing.route_for(username)
        except (routing.BadRequest, routing.UnknownNumber) as exc:
            # A user name no phone can dial (longer than a SIP user part allows, say): the page says so.
            context["problem"] = problem_text(exc)
        return render(request, self.template_name, context)


class DialPlanView(AdminRequiredMixin, View):
    """Admins: the dial plan's service numbers. A refused number is a 400 with the service's sentence at the field
    of its list, and nothing is changed."""

    template_name = "sipproxy/dial_plan.html"

    def page(self, request, form, status=200):
        context = {"form": form, "title": _("Dial plan"), "service_numbers": _service_numbers()}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        plan = dialplan_services.dial_plan()
        initial = {service: ", ".join(getattr(plan, service)) for service in dialplan_services.SERVICES}
        return self.page(request, DialPlanForm(initial=initial))

    def post(self, request):
        form = DialPlanForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        lists = {service: form.numbers(form.cleaned_data[service]) for service in dialplan_services.SERVICES}
        try:
            dialplan_services.save_dial_plan(**lists)
        except dialplan_services.DialPlanError as exc:
            form.add_error(exc.service, exc.message)
            return self.page(request, form, status=400)
        messages.success(request, _("Dial plan saved."))
        return redirect("routing:dial_plan")
