"""Top-level routes: the sipXconfig REST API under /sipxconfig/rest/, the admin pages under /<app>/,
the end-user portal under /portal/, the OpenAPI description under /api/."""

from django.urls import include, path, re_path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sipxweb import views
from sipxweb.csp import API_DOCS_POLICY
from sipxweb.rest import schema  # noqa: F401  (OpenAPI descriptions of our authentication)
from sipxweb.rest.views import NOT_FOUND_PATTERN, rest_not_found

REST = "sipxconfig/rest/"

api_docs = csp_override(API_DOCS_POLICY)(SpectacularSwaggerView.as_view(url_name="schema"))

# The sipXconfig URIs (docs/compatibility.md): every app's api/urls.py under the one prefix, which is matched once and
# comes first (these URIs are the hot path); anything else under it is the JSON 404 of D1.
rest_patterns = [
    path("", include("apps.users.api.urls")),
    path("", include("apps.phones.api.urls")),
    path("", include("apps.attendants.api.urls")),
    path("", include("apps.phonebooks.api.urls")),
    path("", include("apps.cdrs.api.urls")),
    path("", include("apps.callcontrol.api.urls")),
    path("", include("apps.voicemail.api.urls")),
    path("", include("apps.conferences.api.urls")),
    re_path(NOT_FOUND_PATTERN, rest_not_found),
]

# The error pages (sipxweb/views.py): the layout's for the pages, the API's own body under its prefixes.
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error

urlpatterns = [
    path(REST, include(rest_patterns)),
    # Phones poll their files: second on the hot path, ahead of the call controller's root include (which every
    # later path must be tried against) and the pages.
    path("provision/", include("apps.provisioning.urls")),
    path("", include("apps.callcontrol.api.controller_urls")),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("users/", include("apps.users.urls")),
    path("portal/", include("apps.users.portal_urls")),
    path("phonebooks/", include("apps.phonebooks.urls")),
    path("portal/phonebook/", include("apps.phonebooks.portal_urls")),
    path("voicemail/", include("apps.voicemail.urls")),
    path("portal/voicemail/", include("apps.voicemail.portal_urls")),
    path("conferences/", include("apps.conferences.urls")),
    path("portal/conferences/", include("apps.conferences.portal_urls")),
    path("phones/", include("apps.phones.urls")),
    path("attendants/", include("apps.attendants.urls")),
    path("cdrs/", include("apps.cdrs.urls")),
    # The portal's call pages and call box keep their paths next to the admin's call pages: /cdrs/my/....
    path("cdrs/my/", include("apps.cdrs.portal_urls")),
    path("cdrs/my/", include("apps.callcontrol.portal_urls")),
    path("sipproxy/", include("apps.sipproxy.api.urls")),
    path("routing/", include("apps.sipproxy.urls")),
    path("portal/routing/", include("apps.sipproxy.portal_urls")),
    path("provisioning/", include("apps.provisioning.admin_urls")),
    path("audit/", include("apps.audit.urls")),
    path("api/v1/", include("apps.adminapi.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
