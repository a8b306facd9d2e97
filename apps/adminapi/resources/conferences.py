"""/api/v1/conferences: the data file's conference rooms (apps/pbxdata/sections/conferences.py holds the keys),
stored through apps.conferences.services as the conference pages and the data file store them. The access and
moderator codes are shown: the admin pages show them to administrators (the edit form, in clear) as the data file
does; the audit log masks them."""

from apps.adminapi.resource import Resource
from apps.conferences import services
from apps.conferences.filtersets import ConferenceFilterSet
from apps.conferences.models import Conference
from apps.pbxdata.sections import conferences as section


class Conferences(Resource):
    name = "conferences"
    kind = services.KIND
    key = "name"
    lookup = "name"
    item = section.CONFERENCE
    filterset_class = ConferenceFilterSet
    ordering = {
        "name": "name",
        "extension": "extension",
        "description": "description",
        "owner": "owner__username",
        "enabled": "enabled",
    }
    default_order = ("name",)

    def queryset(self):
        # Prefetched, not joined: a change locks the row (select_for_update), which PostgreSQL refuses across the
        # outer join that a nullable owner needs.
        return Conference.objects.prefetch_related("owner")

    def represent(self, conference):
        return section.dump_conference(conference)

    def save(self, checked):
        try:
            return services.upsert_conferences([section.conference_data(c) for c in checked])
        except services.ConferenceError as exc:
            raise section.refused(exc, f"[{exc.item or 0}]") from None

    def delete(self, conference):
        services.delete_conference(conference)
