"""No page may hide a name the layout reads (issue 15, defect 1): base.html shows the logged-in `user` (header,
menus), the `request` (the open page's menu entry), `messages`, `perms`, the CSRF token and the CSP nonce, all put
there by the context processors. A view whose context sets one of them shows something else: the user edit page's
`user` once put the edited user in the header, with their portal menu and no admin menu.

Every page of the demo PBX that an administrator, a user and an attendant administrator can reach by following
links from the home page is opened (tests/floor/crawl.py), and the context each page rendered the layout with is
read layer by layer: the view's own layers may not hold a layout name."""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.shortcuts import render
from django.template import RequestContext
from django.test import RequestFactory
from django.urls import include, path
from django.utils.module_loading import import_string

from apps.users.models import User
from tests.floor.crawl import crawl, is_html

pytestmark = pytest.mark.django_db

LAYOUT = "base.html"


def layout_names() -> set[str]:
    """The names the context processors give every page (what base.html reads), and the CSRF token Django adds."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}
    names = {"csrf_token"}
    for dotted in settings.TEMPLATES[0]["OPTIONS"]["context_processors"]:
        names.update(import_string(dotted)(request))
    return names


def shadowed(response) -> set[str]:
    """The layout names that the page's own context (not the context processors) set when it rendered base.html."""
    found = set()
    names = layout_names()
    for template, context in zip(response.templates, response.context or [], strict=False):
        if template.name != LAYOUT or not isinstance(context, RequestContext):
            continue
        for index, layer in enumerate(context.dicts):
            if index in (0, context._processors_index):  # the builtins (True, False, None) and the processors' own
                continue
            found.update(names & set(layer))
    return found


def hidden_layout_names(client) -> dict[str, set[str]]:
    """{path: the layout names it hid} of the pages the crawl opens that hid any (or failed: a status 500), and
    checks that the layout was seen at all."""
    problems, rendered = {}, 0
    for page, response in crawl(client):
        if response.status_code >= 500:
            problems[page] = {f"status {response.status_code}"}
        if not is_html(response):
            continue
        rendered += LAYOUT in [t.name for t in response.templates]
        if names := shadowed(response):
            problems[page] = names
    assert rendered > 10, f"only {rendered} pages with the layout: the crawl went nowhere"
    return problems


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("who", ["superadmin", "200", "202"], ids=["admin", "user", "attendant-admin"])
def test_no_page_hides_a_layout_name(demo, client, who):
    client.raise_request_exception = False  # a page that fails is named with the others, and the crawl goes on
    client.force_login(User.objects.get(username=who))
    assert hidden_layout_names(client) == {}


def test_the_crawl_reaches_the_pages_that_once_hid_the_user(demo, client):
    """Defect 1's pages are among those checked: a user's edit and delete pages, reached from the user list."""
    client.force_login(User.objects.get(username="superadmin"))
    alice = User.objects.get(username="200")
    for page in (f"/users/{alice.pk}/", f"/users/{alice.pk}/delete/"):
        response = client.get(page)
        assert LAYOUT in [t.name for t in response.templates]
        assert shadowed(response) == set()
        assert '<span class="whoami">superadmin</span>' in response.content.decode()


def shadowing_view(request):
    # What defect 1 was: a page whose own `user` is another user than the one logged in.
    return render(request, "404.html", {"user": User.objects.get(username="200"), "request_path": "/x/"})


urlpatterns = [path("shadowing/", shadowing_view), path("", include("sipxweb.urls"))]  # the layout links to the site


@pytest.mark.urls(__name__)
def test_a_page_that_hides_the_user_is_found(demo, client):
    client.force_login(User.objects.get(username="superadmin"))
    response = client.get("/shadowing/")
    assert shadowed(response) == {"user"}
    assert "Alice" in response.content.decode()  # what the header showed: the page's user, not the logged-in one
