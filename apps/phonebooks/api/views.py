"""Phonebook URIs (docs/compatibility.md B.2.1, B.2.2, B.3.5-B.3.8, A.6, D2, D4, D10, D16).

Lists are streamed (StreamingHttpResponse over the generators of `api/serializers.py` and of `exports.py`, the
CSV/vCard files) so that no view holds a whole phonebook in memory; the variant is still chosen by the negotiation
of every WireView."""

import itertools
from collections.abc import Iterator

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError

from apps.phonebooks import exports, readmodel, services
from apps.phonebooks.api import serializers
from apps.phonebooks.api.serializers import EntrySerializer, PhonebookBodySerializer
from apps.phonebooks.models import Phonebook, PhonebookSettings
from sipxweb.rest.errors import Conflict
from sipxweb.rest.permissions import IsPbxAdmin
from sipxweb.rest.renderers import (
    AnyXMLRenderer,
    CSVRenderer,
    PlainTextRenderer,
    PreRenderedXMLRenderer,
    VCardRenderer,
    XStreamJSONRenderer,
    XStreamXMLRenderer,
)
from sipxweb.rest.views import WireView, empty_ok

PAGED_DEFAULT_END = 100


def _content_type(request) -> str:
    renderer = request.accepted_renderer
    media_type = request.accepted_media_type or renderer.media_type
    return f"{media_type}; charset=utf-8"


def _stream(request, chunks) -> StreamingHttpResponse:
    return StreamingHttpResponse(chunks, content_type=_content_type(request))


def _primed(rows: Iterator) -> Iterator:
    """`rows` with its first item already read, inside the view: that read runs the first query, the one that meets
    a database outage, and here the outage still becomes the 503 of sipxweb/dbdown.py. Read later, by the server
    iterating the streamed body, it was a bare 500 from gunicorn."""
    first = next(rows, _END)
    return iter(()) if first is _END else itertools.chain([first], rows)


_END = object()


class PhonebookListView(WireView):
    """B.2.1: the phonebooks' names; the `application/*+xml` variant had no representation (404)."""

    permission_classes = [IsPbxAdmin]
    renderer_classes = [PreRenderedXMLRenderer, AnyXMLRenderer]

    @extend_schema(responses={(200, "text/xml"): OpenApiResponse(description="<phonebooks>")}, summary="Phonebooks")
    def get(self, request, **kwargs):
        if isinstance(request.accepted_renderer, AnyXMLRenderer):
            raise Http404("This URI has no application/*+xml representation; ask for text/xml.")
        names = Phonebook.objects.order_by("name").values_list("name", flat=True)
        return HttpResponse(serializers.dom_phonebooks(names), content_type=_content_type(request))


class PhonebookView(WireView):
    """B.2.2: one phonebook's members and file entries as CSV (default) or XML, streamed."""

    permission_classes = [IsPbxAdmin]
    renderer_classes = [CSVRenderer, PreRenderedXMLRenderer, AnyXMLRenderer]

    @extend_schema(
        responses={(200, "text/comma-separated-values"): OpenApiResponse(description="CSV")}, summary="A phonebook"
    )
    def get(self, request, name, **kwargs):
        phonebook = None if "\x00" in name else Phonebook.objects.filter(name=name).first()
        if phonebook is None:
            raise Http404(f"There is no phonebook {name!r}.")
        chunks = _primed(readmodel.iter_phonebook_chunks(phonebook))
        if isinstance(request.accepted_renderer, CSVRenderer):
            return _stream(request, serializers.csv_phonebook(chunks))
        return _stream(request, serializers.dom_phonebook(chunks))


def _parse(serializer) -> None:
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)


class MyPhonebookView(WireView):
    """B.3.5: the caller's merged view (GET; XML, JSON and the CSV/vCard exports of 15.04), append entries to the
    private phonebook (POST), delete the private phonebook (DELETE)."""

    wire_root = serializers.PHONEBOOK_ROOT
    renderer_classes = [XStreamXMLRenderer, XStreamJSONRenderer, PlainTextRenderer, CSVRenderer, VCardRenderer]

    @extend_schema(responses={(200, "text/xml"): OpenApiResponse(description="<phonebook>")}, summary="My phonebook")
    def get(self, request, **kwargs):
        rows = _primed(readmodel.iter_merged(request.user))
        renderer = request.accepted_renderer
        if isinstance(renderer, (CSVRenderer, PlainTextRenderer)):
            return _stream(request, exports.csv_export(rows))
        if isinstance(renderer, VCardRenderer):
            return _stream(request, exports.vcard_export(rows))
        return _stream(request, serializers.merged_view(rows, renderer.format, request))

    @extend_schema(request=PhonebookBodySerializer, responses={200: OpenApiResponse(description="Stored")})
    def post(self, request, **kwargs):
        serializer = PhonebookBodySerializer(data=request.data)
        _parse(serializer)
        entries = serializer.entries()
        if entries:
            book = services.private_phonebook(request.user, create=True)
            services.add_entries(entries, private=book)
        return empty_ok()

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Deleted")})
    def delete(self, request, **kwargs):
        services.delete_private_phonebook(request.user)
        return empty_ok()


class MyPhonebookEntryView(WireView):
    """B.3.6: one entry of the caller's private phonebook. POST creates (any id segment; 409 on a duplicate,
    D2; `Location` of the new entry, A.6); GET/PUT only for the caller's own entries (D4); DELETE always 200."""

    wire_root = serializers.ENTRY_ROOT
    renderer_classes = [XStreamXMLRenderer, XStreamJSONRenderer]

    def own(self, request, entry_id):
        entry = services.own_entry(request.user, entry_id)
        if entry is None:
            raise Http404(f"There is no entry {entry_id!r} in your private phonebook.")
        return entry

    @extend_schema(responses=EntrySerializer, summary="A private phonebook entry")
    def get(self, request, entry_id, **kwargs):
        return self.document(serializers.entry_wire(self.own(request, entry_id)))

    @extend_schema(request=EntrySerializer, responses={200: OpenApiResponse(description="Stored")})
    def put(self, request, entry_id, **kwargs):
        entry = self.own(request, entry_id)
        serializer = EntrySerializer(data=request.data)
        _parse(serializer)
        try:
            services.update_private_entry(request.user, entry, serializer.entry_data())
        except services.DuplicateEntry:
            raise Conflict("Duplicate Entry: you already have an entry with this name and number.") from None
        return empty_ok()

    @extend_schema(request=EntrySerializer, responses={200: OpenApiResponse(description="Created")})
    def post(self, request, entry_id, **kwargs):
        serializer = EntrySerializer(data=request.data)
        _parse(serializer)
        try:
            entry = services.create_private_entry(request.user, serializer.entry_data())
        except services.DuplicateEntry:
            raise Conflict("Duplicate Entry: you already have an entry with this name and number.") from None
        response = empty_ok()
        response["Location"] = request.build_absolute_uri(reverse("phonebooks-api:phonebook-entry", args=[entry.pk]))
        return response

    @extend_schema(request=None, responses={200: OpenApiResponse(description="Deleted")})
    def delete(self, request, entry_id, **kwargs):
        entry = services.own_entry(request.user, entry_id)
        if entry is not None:
            services.delete_private_entry(request.user, entry)
        return empty_ok()


def _row_number(request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() also accepts "²" and other Unicode digits, which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise ValidationError(f"{name} must be a whole number from 0, not {raw[:40]!r}.")
    return int(raw)


class MyPagedPhonebookView(WireView):
    """B.3.7 with D10: `start`/`end` in any order, bad or inverted values 400."""

    wire_root = serializers.PHONEBOOK_ROOT
    renderer_classes = [XStreamXMLRenderer, XStreamJSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", int, required=False),
            OpenApiParameter("end", int, required=False),
            OpenApiParameter("filter", str, required=False),
        ],
        responses={(200, "text/xml"): OpenApiResponse(description="<phonebook>")},
        summary="My phonebook, one page",
    )
    def get(self, request, **kwargs):
        start = _row_number(request, "start", 0)
        end = _row_number(request, "end", PAGED_DEFAULT_END)
        if start > end:
            raise ValidationError(f"start ({start}) is after end ({end}).")
        text = request.query_params.get("filter")
        text = None if text in (None, "", "null") else text[:255]
        page = readmodel.merged_page(request.user, start, end, text)
        book = services.private_phonebook(request.user)
        settings = PhonebookSettings.objects.filter(pk=1).first()
        return self.document(serializers.paged_wire(page, book, settings, request))


class MySearchPhonebookView(WireView):
    """B.3.8: prefix search on words; without `query` the original's route did not match (404)."""

    wire_root = serializers.PHONEBOOK_ROOT
    renderer_classes = [XStreamXMLRenderer, XStreamJSONRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("query", str, required=True)],
        responses={(200, "text/xml"): OpenApiResponse(description="<phonebook>")},
        summary="Search my phonebook",
    )
    def get(self, request, **kwargs):
        query = request.query_params.get("query")
        if query is None:
            raise Http404("Give the search term as ?query=...")
        rows = readmodel.search(request.user, query)
        return self.document(serializers.search_wire(rows, request))
