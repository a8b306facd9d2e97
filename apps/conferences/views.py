"""Admin conference pages under /conferences/: list (search and ConferenceFilterSet), create, edit (with who is in
the room now, participant_views.py), delete. The owner's pages are portal_views.py."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.conferences import services
from apps.conferences.filtersets import ConferenceFilterSet
from apps.conferences.forms import ConferenceForm
from apps.conferences.models import Conference
from apps.conferences.participant_views import ParticipantsMixin
from sipxweb.pages import admin_pages

ConferenceListView, ConferenceCreateView, _ConferenceUpdateView, _ConferenceDeleteView = admin_pages(
    Conference,
    ConferenceForm,
    noun=gettext_lazy("conference"),
    urls="conferences:conference",
    # The number in the room now: one aggregate in the list's query, whatever the number of rooms.
    queryset=Conference.objects.select_related("owner").annotate(in_room=Count("participants")).order_by("name"),
    filterset_class=ConferenceFilterSet,  # its search_fields are the search box's
    template_name="conferences/conference_list.html",
)


class ConferenceUpdateView(ParticipantsMixin, _ConferenceUpdateView):
    """The edit page, with who is in the room now and the moderator's buttons."""

    template_name = "conferences/conference_form.html"
    action_url_name = "conferences:participant_action"


class ConferenceDeleteView(_ConferenceDeleteView):
    def form_valid(self, form):
        # Through the service, which records the deletion in the audit log.
        name = str(self.object)
        services.delete_conference(self.object)
        messages.success(self.request, _("%(object)s deleted.") % {"object": name})
        return HttpResponseRedirect(self.get_success_url())
