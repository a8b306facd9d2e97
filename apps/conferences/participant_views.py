"""Who is in a conference room now, on the room's admin and portal pages, and the Mute/Unmute/Remove buttons: for
administrators and the room's owner only (services.may_moderate). The media server applies a change within about a
second (apps/mediaserver/flows/conference.py polls the rows)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from apps.conferences import services
from apps.conferences.models import Conference, Participant

ACTIONS = ("mute", "unmute", "remove")


class ParticipantsMixin:
    """Adds the room's participants and the URL name of their buttons to an edit page's context."""

    action_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["participants"] = list(self.object.participants.all())
        context["participant_action_url"] = self.action_url_name
        return context


class ParticipantActionView(LoginRequiredMixin, View):
    """POST mute, unmute or remove; then back to the room's page (`back`, a URL name taking the room's pk)."""

    back = ""
    http_method_names = ["post"]

    def post(self, request, pk: int, participant: int, action: str):
        if action not in ACTIONS:
            # Plain text: the refused value is echoed, and must not become markup.
            return HttpResponseBadRequest(
                f"Unknown action {action!r}: use mute, unmute or remove.", content_type="text/plain; charset=utf-8"
            )
        conference = get_object_or_404(Conference.objects.select_related("owner"), pk=pk)
        if not services.may_moderate(request.user, conference):
            raise PermissionDenied(_("Only administrators and the conference's owner may mute or remove participants."))
        row = Participant.objects.filter(pk=participant, conference=conference).first()
        if row is None:
            messages.info(request, _("That participant has left the conference."))
        elif action == "remove":
            services.remove(row)
            messages.success(request, _("%(participant)s will be removed from the conference.") % {"participant": row})
        else:
            services.set_muted(row, action == "mute")
            text = _("%(participant)s muted.") if action == "mute" else _("%(participant)s unmuted.")
            messages.success(request, text % {"participant": row})
        return redirect(self.back, pk=conference.pk)
