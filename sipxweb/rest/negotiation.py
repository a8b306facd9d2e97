"""Content negotiation of Restlet 1.1 as sipXconfig used it (docs/compatibility.md B.1.4), with the aliases of A.1.

Each view lists its renderers in the spec's variant order. For each variant the most specific Accept
range that matches it is found (type/subtype > type/* > */*); variants no range matches are out; the
highest q wins and ties go to the variant declared first. No Accept header means */*. Nothing left → 406.
Request bodies (B.1.5): JSON when the Content-Type is JSON-compatible, XML when it is XML-compatible. Any
other type (text/plain, forms, multipart, none) is 415 where an XML/JSON document is expected: those are the
types a cross-site HTML form or a "simple" fetch can send without the browser asking first, and a browser
that remembers Basic/Digest credentials would send them along."""

from rest_framework.exceptions import NotAcceptable, UnsupportedMediaType
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation


def parse_accept(header: str) -> list[tuple[str, str, float]]:
    """[(type, subtype, q)] from an Accept header; malformed members are skipped."""
    ranges = []
    for member in header.split(","):
        member = member.strip()
        if not member:
            continue
        media, *params = [p.strip() for p in member.split(";")]
        if "/" not in media:
            continue
        main, sub = (x.strip().lower() for x in media.split("/", 1))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((main, sub, q))
    return ranges


def _match(media_type: str, ranges, exact_only: bool = False) -> tuple[int, float] | None:
    """(specificity, q) of the most specific range matching `media_type`, or None."""
    main, sub = media_type.split("/", 1)
    # A variant such as `application/*+xml` (Restlet's APPLICATION_ALL_XML) is matched exactly by that range
    # and also covers every concrete `application/<x>+xml` range a client names.
    suffix = sub[1:] if sub.startswith("*+") else None
    best = None
    for r_main, r_sub, q in ranges:
        if (r_main, r_sub) == (main, sub):
            spec = 2
        elif suffix and r_main == main and r_sub.endswith(suffix) and len(r_sub) > len(suffix) and r_sub[0] != "*":
            spec = 2
        elif exact_only:
            continue
        elif r_main == main and r_sub == "*":
            spec = 1
        elif (r_main, r_sub) == ("*", "*"):
            spec = 0
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, q)
    return best


def choose_variant(accept: str, renderers) -> tuple[object, str] | None:
    """The (renderer, media type to answer with) for `accept`, or None when nothing is acceptable."""
    ranges = parse_accept(accept or "*/*") or [("*", "*", 1.0)]
    best = None
    for renderer in renderers:
        candidates = [(renderer.media_type, _match(renderer.media_type, ranges))]
        candidates += [(alias, _match(alias, ranges, exact_only=True)) for alias in getattr(renderer, "aliases", ())]
        for media_type, found in candidates:
            if found is None or found[1] <= 0:
                continue
            if best is None or found[1] > best[0]:
                best = (found[1], renderer, media_type)
    if best is None:
        return None
    renderer, media_type = best[1], best[2]
    if "*" in media_type:  # a wildcard variant answers with the concrete type its renderer names
        media_type = getattr(renderer, "response_media_type", media_type)
    return renderer, media_type


class VariantNegotiation(BaseContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = choose_variant(request.META.get("HTTP_ACCEPT", "*/*"), renderers)
        if chosen is None:
            offered = ", ".join(r.media_type for r in renderers)
            raise NotAcceptable(
                f"None of the media types in the Accept header is offered here; this URI offers {offered}."
            )
        return chosen

    def select_parser(self, request, parsers):
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        is_xml = content_type in ("text/xml", "application/xml") or content_type.endswith("+xml")
        document_parsers = [p for p in parsers if p.media_type in ("application/json", "text/xml")]
        if document_parsers and len(document_parsers) == len(parsers):
            if not (is_json or is_xml):
                sent = content_type or "no Content-Type"
                raise UnsupportedMediaType(
                    content_type,
                    detail=f"This URI takes an XML (text/xml) or JSON (application/json) document, not {sent}.",
                )
            for parser in parsers:
                if (parser.media_type == "application/json") == is_json:
                    return parser
            return None
        # Views with other parsers (the multipart voicemail deposit): DRF's own matching, with a sentence.
        parser = DefaultContentNegotiation().select_parser(request, parsers)
        if parser is None:
            offered = ", ".join(p.media_type for p in parsers)
            raise UnsupportedMediaType(
                content_type, detail=f"This URI takes {offered}, not {content_type or 'no Content-Type'}."
            )
        return parser
