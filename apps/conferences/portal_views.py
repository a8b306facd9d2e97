"""The portal's conference pages (mounted at /portal/conferences/): the logged-in user's rooms, where the owner
changes only the description and the codes, and sees who is in the room (participant_views.py); another user's
room is a 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, UpdateView

from apps.conferences.forms import OwnerConferenceForm
from apps.conferences.models import Conference
from apps.conferences.participant_views import ParticipantsMixin


class MyConferenceListView(LoginRequiredMixin, ListView):
    template_name = "conferences/my_conferences.html"
    paginate_by = 25

    def get_queryset(self):
        rooms = Conference.objects.filter(owner=self.request.user)
        return rooms.annotate(in_room=Count("participants")).order_by("name")


class MyConferenceUpdateView(LoginRequiredMixin, ParticipantsMixin, UpdateView):
    form_class = OwnerConferenceForm
    template_name = "conferences/conference_form.html"
    action_url_name = "portal-conferences:participant_action"

    def get_queryset(self):
        return Conference.objects.filter(owner=self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Conference %(name)s saved.") % {"name": self.object})
        return response

    def get_success_url(self):
        return reverse("portal-conferences:conference_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Conference %(name)s") % {"name": self.object}, list_url=self.get_success_url())
        return context
