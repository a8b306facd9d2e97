"""/api/v1/: one DRF router over every resource of the admin JSON API (mounted in sipxweb/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.adminapi.keypaths import with_slashed_keys
from apps.adminapi.resource import viewset_for
from apps.adminapi.resources import attendants as attendant_resources
from apps.adminapi.resources import conferences, phonebooks, phones, users
from apps.adminapi.resources.audit import AuditViewSet
from apps.adminapi.resources.calls import ActiveCallViewSet, CdrViewSet
from apps.adminapi.resources.mailboxes import MailboxViewSet
from apps.adminapi.resources.my import AvailabilityView, AwayPeriodViewSet
from apps.adminapi.resources.tokens import TokenViewSet


class Router(SimpleRouter):
    # /api/v1/users and /api/v1/users/300: no trailing slash, as the sipXconfig URIs.
    def __init__(self):
        super().__init__(trailing_slash="")


router = Router()
for resource in (users.Users(), users.Groups(), phones.Phones(), conferences.Conferences()):
    router.register(resource.name, viewset_for(resource), basename=resource.name)
router.register("tokens", TokenViewSet, basename="tokens")
router.register("audit", AuditViewSet, basename="audit")
router.register("mailboxes", MailboxViewSet, basename="mailboxes")
router.register("cdrs", CdrViewSet, basename="cdrs")
router.register("active-calls", ActiveCallViewSet, basename="active-calls")
router.register("my/away-periods", AwayPeriodViewSet, basename="my-away-periods")

router.register("phonebooks", viewset_for(phonebooks.Phonebooks()), basename="phonebooks")
router.register("attendants", viewset_for(attendant_resources.Attendants()), basename="attendants")

app_name = "api-v1"
urlpatterns = router.urls
# A phonebook's entries and its file import, below /phonebooks/{name} (a router does not nest).
entries = phonebooks.EntryViewSet.as_view
urlpatterns += [
    path("phonebooks/<str:name>/entries", entries({"get": "list", "post": "create"}), name="phonebook-entries"),
    path(
        "phonebooks/<str:name>/entries/<str:pk>",
        entries({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="phonebook-entry",
    ),
    path("phonebooks/<str:name>/import", phonebooks.ImportView.as_view(), name="phonebook-import"),
]
# An attendant's prompt (below /attendants/{name}) and the special mode.
urlpatterns += [
    path("attendants/<str:name>/prompt", attendant_resources.AttendantPromptView.as_view(), name="attendant-prompt"),
    path("special-mode", attendant_resources.SpecialModeView.as_view(), name="special-mode"),
    path("special-mode/now", attendant_resources.SpecialModeNowView.as_view(), name="special-mode-now"),
]
# The special-mode schedule's periods (a router does not nest under special-mode).
periods = attendant_resources.SpecialModeScheduleViewSet.as_view
urlpatterns += [
    path("special-mode/schedule", periods({"get": "list", "post": "create"}), name="special-mode-schedule"),
    path(
        "special-mode/schedule/<str:pk>",
        periods({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="special-mode-period",
    ),
]
# The caller's own availability (apps/adminapi/resources/my.py).
urlpatterns += [path("my/availability", AvailabilityView.as_view(), name="my-availability")]
# Keys may hold "/" (a phonebook "Sales/EU"): the paths below a keyed prefix whose key part holds one are matched
# against the routes above by what is stored (apps/adminapi/keypaths.py).
urlpatterns = with_slashed_keys(urlpatterns)
