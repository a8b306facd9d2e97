"""Admin conference pages under /conferences/: list (search and ConferenceFilterSet), create, edit, delete. The
owner's pages are portal_views.py."""

from apps.conferences.filtersets import ConferenceFilterSet
from apps.conferences.forms import ConferenceForm
from apps.conferences.models import Conference
from sipxweb.pages import admin_pages

ConferenceListView, ConferenceCreateView, ConferenceUpdateView, ConferenceDeleteView = admin_pages(
    Conference,
    ConferenceForm,
    noun="conference",
    urls="conferences:conference",
    queryset=Conference.objects.select_related("owner").order_by("name"),
    filterset_class=ConferenceFilterSet,
    search_fields=("name", "description", "extension", "owner__username"),
    template_name="conferences/conference_list.html",
)
