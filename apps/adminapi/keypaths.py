"""URL keys that hold a "/": a phonebook "Sales/EU", a group "ops/night", a user or an attendant name with a slash.
The services accept such names (of the text keys, only a phone's serial and a conference's name exclude "/"), so the
admin JSON API must address them.

A client sends such a key as one path segment, "/" percent-encoded (`/api/v1/phonebooks/Sales%2FEU`: what OpenAPI's
path parameters and every URL library do), but WSGI hands Django the decoded path (PATH_INFO), so the server sees
`phonebooks/Sales/EU` and cannot tell `/phonebooks/Sales%2FEU/entries` from `/phonebooks/Sales/EU/entries`. The
key's extent is therefore decided by what is stored:

* the routes below a prefix are the ones urls.py declares (`phonebooks/{key}`, `phonebooks/{name}/entries`, ...);
  each is read with its key (the segment after the prefix) widened to take "/" too;
* a route whose view does not serve the request's method drops out (POST never reads an object itself);
* of the rest, the one whose key names a stored object wins, the longest such key first: the whole path is the key
  when that object exists. So a phonebook named "Sales/entries" is read, replaced and deleted at
  /phonebooks/Sales%2Fentries, and "Sales"'s entries are listed there while no phonebook "Sales/entries" exists
  (when both exist, a GET there reads the phonebook "Sales/entries"; a POST still adds an entry to "Sales");
* when no key of them is stored, the shortest key answers (its 404 names the object that a reader most likely
  meant: `/phonebooks/Nope/entries` is 404 "There is no phonebook "Nope".").

A path whose part below the prefix holds no "/" has one reading and takes the router's own route; every other path
below a keyed prefix comes here first. The prefixes are those whose object view can say whether a key is stored
(`key_exists`: every Resource viewset, the mailboxes), whatever their keys' rules: a rule that admits "/" later needs
nothing here.

The answer's own links are written as the client would write them: the request's full path puts the key back into
one segment ("%2F"), so `next`/`previous` page links and Location headers name the same object."""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.http import Http404
from django.urls import URLPattern, re_path
from django.utils.encoding import escape_uri_path
from django.views.decorators.csrf import csrf_exempt

from sipxweb.bounds import RequestBoundsMiddleware, body_limit

# The key segment as Django's `str` converter and DRF's `lookup_value_regex` write it, right after the prefix.
_FIRST_KEY = re.compile(
    r"^\^(?P<prefix>[A-Za-z0-9_\\-]+(?:/[A-Za-z0-9_\\-]+)*)/(?P<key>\(\?P<(?P<group>\w+)>\[\^/\]\+\))"
)
_END = ("$", r"\Z")
# escape_uri_path's safe characters without "/": the key is one segment.
_KEY_SAFE = ":@&+$,-_.!~*'()"


@dataclass(frozen=True)
class _Route:
    pattern: URLPattern
    regex: re.Pattern
    group: str

    @property
    def view(self):
        return self.pattern.callback


def _serves(view, method: str) -> bool:
    method = "get" if method == "HEAD" else method.lower()
    if method == "options":
        return True
    actions = getattr(view, "actions", None)  # a viewset's route: its method -> action map
    if actions is not None:
        return method in actions
    cls = getattr(view, "view_class", None) or getattr(view, "cls", None)
    return cls is not None and hasattr(cls, method)


class _Below:
    """The routes below one prefix, and the view that picks one of them for a path whose key part holds a "/"."""

    def __init__(self, prefix: str, routes: list[_Route], exists):
        self.prefix, self.routes, self.exists = prefix, routes, exists

    def urlpattern(self):
        view = csrf_exempt(self.dispatch)
        # the bounds middleware checks the body against this view's limit before it runs: the most any of the routes
        # takes; the route chosen then applies its own (`_too_large`)
        view.max_body_bytes = max(body_limit(route.view) for route in self.routes)
        return re_path(rf"^{self.prefix}/(?P<below>[^/]*/.*)\Z", view)

    def dispatch(self, request, below: str):
        relative = f"{self.prefix}/{below}"
        matches = [(route, found) for route in self.routes if (found := route.regex.match(relative))]
        serving = [m for m in matches if _serves(m[0].view, request.method)] or matches
        if not serving:
            raise Http404("There is no resource at this path.")
        route, found = self._choose(serving)
        kwargs = {**route.pattern.default_args, **found.groupdict()}
        refusal = RequestBoundsMiddleware(None).process_view(request, route.view, (), kwargs)
        if refusal is not None:
            return refusal
        _write_links_with_key(request, relative, found, route.group)
        return route.view(request, **kwargs)

    def _choose(self, serving):
        if len(serving) == 1:
            return serving[0]
        by_length = sorted(serving, key=lambda m: len(m[1][m[0].group]), reverse=True)
        known: dict[str, bool] = {}
        for route, found in by_length:
            key = found[route.group]
            if key not in known:
                known[key] = self.exists(key)
            if known[key]:
                return route, found
        return by_length[-1]


def _write_links_with_key(request, relative: str, found: re.Match, group: str) -> None:
    """The request's full path (which `build_absolute_uri`, the page links and Location use) with the key as one
    percent-encoded segment instead of the decoded path's bare "/"."""
    head = request.path[: len(request.path) - len(relative)]
    start, end = found.span(group)
    path = escape_uri_path(head + relative[:start]) + quote(found[group], safe=_KEY_SAFE)
    path += escape_uri_path(relative[end:])
    plain = request.get_full_path

    def get_full_path(force_append_slash=False):
        query = plain(force_append_slash).partition("?")[2]
        return f"{path}?{query}" if query else path

    request.get_full_path = get_full_path


def with_slashed_keys(urlpatterns: list) -> list:
    """`urlpatterns` with, before them, one route per keyed prefix that serves the paths whose key may hold a "/"."""
    grouped: dict[str, list[_Route]] = {}
    exists = {}
    for pattern in urlpatterns:
        regex = pattern.pattern.regex.pattern
        first = _FIRST_KEY.match(regex)
        if first is None:
            continue
        prefix, group = first["prefix"], first["group"]
        widened = regex[: first.start("key")] + f"(?P<{group}>.+)" + regex[first.end("key") :]
        grouped.setdefault(prefix, []).append(_Route(pattern, re.compile(widened), group))
        cls = getattr(pattern.callback, "cls", None)
        if regex[first.end() :] in _END and hasattr(cls, "key_exists"):
            exists[prefix] = cls.key_exists
    keyed = [_Below(prefix, grouped[prefix], exists[prefix]).urlpattern() for prefix in exists]
    return [*keyed, *urlpatterns]
