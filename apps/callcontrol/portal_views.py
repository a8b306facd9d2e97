"""The portal's click-to-call pages (mounted at /cdrs/my/, next to the user's own call pages): the call box, which
rings the user's phones and then connects them to the number as `PUT /my/call/{to}` does, and the progress of the
user's call to a number (JSON), which every Call button follows (static/js/calls.js)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from apps.callcontrol import health, progress, services, store
from apps.callcontrol.forms import CallBoxForm
from apps.cdrs.names import Names


class CallBoxView(LoginRequiredMixin, FormView):
    """The portal's call box: rings the user's phones, then connects them to the number (PUT /my/call). After the
    call is queued the page follows it (`?calling=<number>`: the progress line that calls.js keeps up to date); when
    no call-control agent runs, the page says so at once and keeps the number in the box for later."""

    template_name = "callcontrol/call_box.html"
    form_class = CallBoxForm

    def get_initial(self):
        return {"number": self.request.GET.get("number", "")}

    def form_valid(self, form):
        number = form.cleaned_data["number"]
        services.click_to_call(self.request.user, number)
        attempt = services.own_attempt(self.request.user, number)  # closed at once when no agent runs (store.reap)
        if attempt is not None and attempt.outcome == store.NOT_PLACED:
            messages.error(self.request, health.NOT_RUNNING)
            return redirect(reverse("portal-callcontrol:call_box") + "?" + urlencode({"number": number}))
        messages.success(self.request, _("Calling %(number)s: your phone rings first.") % {"number": number})
        return redirect(reverse("portal-callcontrol:call_box") + "?" + urlencode({"calling": number}))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calling = services.clean_target(self.request.GET.get("calling", ""))
        context.update(
            title=_("Call"),
            calling=calling,
            calling_name=Names(self.request.user).load([calling]).name(calling) if calling else "",
        )
        return context


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"  # a poll must never see a cached answer
    return response


class CallProgressView(View):
    """`GET ?number=<as written>`: the logged-in user's newest call to that number, in words (apps/callcontrol/
    progress.py): `{"phase", "text", "done", "callee", "number"}`. 400 with the sentence for a number that cannot be
    called, 404 when the user has no such call (or its result is no longer kept)."""

    def get(self, request):
        if not request.user.is_authenticated:
            return _json({"error": _("Log in to follow your calls.")}, 403)
        try:
            number = services.check_target(request.GET.get("number", ""))
        except services.BadParty as exc:
            return _json({"error": str(exc)}, 400)
        attempt = services.own_attempt(request.user, number)
        if attempt is None:
            return _json({"error": _("You have no call to %(number)s in progress.") % {"number": number}}, 404)
        callee = Names(request.user).load([number]).name(number, number)
        return _json({**progress.progress(attempt, callee).as_dict(), "number": number})
