"""The page crawler of the floor tests that open every page a user can reach (tests/floor/test_layout_names.py,
tests/floor/test_german_pages.py): from the home page, the links of every HTML page are followed, one path per view
(its first link seen), so that each kind of page (a list, an add form, an edit and a delete form of every object
type) is opened once however many rows the demo PBX has."""

import html
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

# Paths that are not pages: the APIs, the phones' files, audio and file downloads.
NOT_PAGES = re.compile(r"^/(api|sipxconfig|provision|callcontroller|sipproxy)/|/audio$|/export/|\.csv$|^/logout/")
HREF = re.compile(r'href="([^"#]+)"')


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def crawl(client, start: str = "/", limit: int = 400) -> Iterator[tuple[str, object]]:
    """(path, response) of every path opened, redirects followed: HTML pages and whatever else a link led to (a
    failing page's answer among them); the links of the HTML pages are followed once the caller has looked at them."""
    seen_views, queue = set(), [start]
    while queue and limit:
        page = queue.pop(0)
        try:
            view = resolve(page).view_name
        except Resolver404:
            continue
        if view in seen_views:
            continue
        seen_views.add(view)
        limit -= 1
        response = client.get(page, follow=True)
        yield page, response
        if not is_html(response):
            continue
        for href in HREF.findall(response.content.decode()):
            target = urlsplit(urljoin(page, html.unescape(href)))
            if not target.netloc and not NOT_PAGES.search(target.path):
                queue.append(target.path)
