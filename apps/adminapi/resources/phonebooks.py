"""/api/v1/phonebooks: the data file's shared phonebooks (apps/pbxdata/sections/phonebooks.py holds their keys and
their entries' keys), stored through apps.phonebooks.services as the phonebook pages store them. A phonebook may hold
100,000 entries, so its representation has none: they are listed, searched and written at
/api/v1/phonebooks/{name}/entries[/{id}], and a CSV or vCard file is imported at /api/v1/phonebooks/{name}/import
by the phonebook page's rules (the whole file or nothing, bad rows named by line)."""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.adminapi import base
from apps.adminapi.openapi.dialect import oas30
from apps.adminapi.openapi.keys import key_parameter
from apps.adminapi.resource import Resource
from apps.pbxdata.schema import PbxDataError, check_keys, complete, join, json_schema, show
from apps.pbxdata.sections import phonebooks as section
from apps.phonebooks import importers, services
from apps.phonebooks.filtersets import PhonebookEntryFilterSet, PhonebookFilterSet
from apps.phonebooks.forms import ImportForm
from apps.phonebooks.models import Phonebook, PhonebookEntry
from sipxweb.pages import search, search_text


class Phonebooks(Resource):
    name = "phonebooks"
    kind = services.PHONEBOOK
    key = "name"
    lookup = "name"
    item = section.PHONEBOOK
    hidden = ("entries",)  # a resource of their own (EntryViewSet): a phonebook may hold 100,000
    filterset_class = PhonebookFilterSet
    ordering = {"name": "name", "description": "description"}
    default_order = ("name",)

    def queryset(self):
        return Phonebook.objects.prefetch_related("members", "consumers")

    def represent(self, book):
        return section.dump_phonebook(book, entries=False)

    def save(self, checked):
        # entries=None: a phonebook written here keeps its entries.
        items = [
            services.PhonebookData(c["name"], c["description"], c["members"], c["consumers"], entries=None)
            for c in checked
        ]
        try:
            return services.upsert_phonebooks(items)
        except services.PhonebookError as exc:
            raise section.refused(exc, f"[{exc.item or 0}]") from None

    def delete(self, book):
        services.delete_phonebook(book)


# ---- /phonebooks/{name}/entries -----------------------------------------------------------------------------

ID = "id"  # the one key an entry has here that the data file does not write: its URL key, given by the server
ORDERING = {"firstName": "first_name", "lastName": "last_name", "number": "number"}
DEFAULT_ORDER = ("last_name", "first_name", "number")  # the phonebook page's order
# Entries in one POST: each is answered and audited one by one; whole files go through /import.
MAX_BULK = 1000
MAX_ID = 2**62


def represent_entry(entry: PhonebookEntry) -> dict:
    """An entry with every key of the data file's entry (absent ones at their defaults), its id first."""
    return {ID: entry.pk, **complete(section.ENTRY, section.dump_entry(entry))}


def entry_schema(with_id: bool) -> dict:
    """An entry's JSON Schema (the data file's, in OpenAPI 3.0's dialect), with the id the server gives."""
    schema = oas30(json_schema(section.ENTRY))
    if with_id:
        schema["properties"] = {ID: {"type": "integer", "readOnly": True}, **schema["properties"]}
    return schema


def partial_schema() -> dict:
    schema = entry_schema(with_id=True)
    schema.pop("required", None)
    return schema


def _refused(exc: services.PhonebookError, bulk: bool) -> PbxDataError:
    """The services' refusal of an entry's value, at the path of its key ("[3].number" in a list)."""
    where = f"[{exc.entry}]" if bulk and exc.entry is not None else ""
    return PbxDataError(join(where, section.ENTRY_PATHS[exc.field]), " ".join(exc.messages).rstrip("."))


def _phonebook(name: str, for_update: bool = False) -> Phonebook:
    """The phonebook of the URL; `for_update` locks it first, in the services' order (the phonebook, then its
    entries: an import that replaces the entries and a change of one of them would otherwise deadlock)."""
    queryset = Phonebook.objects.select_for_update() if for_update else Phonebook.objects
    book = None if "\x00" in name else queryset.filter(name=name).first()
    if book is None:
        raise Http404(f"There is no phonebook {show(name)}.")
    return book


NAME_PARAMETER = key_parameter("name", "The phonebook's name")


@extend_schema(parameters=[NAME_PARAMETER])
class EntryViewSet(base.ApiView, viewsets.ViewSet):
    """A shared phonebook's file entries: list (`?q=`, the page's filters, `?ordering=`, limit/offset), create one
    or a list (all or nothing), read with an ETag, replace and change with If-Match, delete."""

    pagination_class = base.Page

    def _entry(self, book: Phonebook, pk: str, for_update: bool = False) -> PhonebookEntry:
        number = int(pk) if pk.isascii() and pk.isdigit() and len(pk) < 20 else 0
        queryset = PhonebookEntry.objects.filter(phonebook=book)
        if for_update:
            queryset = queryset.select_for_update()
        entry = queryset.filter(pk=number).first() if 0 < number <= MAX_ID else None
        if entry is None:
            raise Http404(f"There is no entry {show(pk)} in phonebook {show(book.name)}.")
        return entry

    @staticmethod
    def _checked(item, path: str) -> dict:
        if isinstance(item, dict) and ID in item:
            raise PbxDataError(join(path, ID), "is given by the server; leave it out")
        return section.entry_data(section.ENTRY(item, path))

    def _respond(self, entry, code=status.HTTP_200_OK, headers=None):
        representation = represent_entry(entry)
        return base.with_etag(Response(representation, status=code, headers=headers), representation)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Text in the first or last name, the number or the e-mail address"),
            OpenApiParameter("company", str, description="Entries whose company name contains this"),
            OpenApiParameter("ordering", str, description="firstName, lastName, number; - for descending"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={
            200: {
                "type": "object",
                "properties": {
                    "count": {"type": "integer"},
                    "next": {"type": "string", "format": "uri", "nullable": True},
                    "previous": {"type": "string", "format": "uri", "nullable": True},
                    "results": {"type": "array", "items": entry_schema(with_id=True)},
                },
            }
        },
        summary="A phonebook's entries",
    )
    def list(self, request, name):
        book = _phonebook(name)
        queryset = base.filtered(request, PhonebookEntry.objects.filter(phonebook=book), PhonebookEntryFilterSet)
        queryset = search(
            queryset, search_text(request.query_params.get("q", "")), PhonebookEntryFilterSet.search_fields
        )
        queryset = base.ordered(queryset, request.query_params.get("ordering", ""), ORDERING, DEFAULT_ORDER)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response([represent_entry(e) for e in rows])

    @extend_schema(
        request={"application/json": {"oneOf": [entry_schema(False), {"type": "array", "items": entry_schema(False)}]}},
        responses={201: {"oneOf": [entry_schema(True), {"type": "array", "items": entry_schema(True)}]}},
        summary="Add an entry, or a list of entries (all or nothing)",
    )
    def create(self, request, name):
        book = _phonebook(name)
        body = request.data
        bulk = isinstance(body, list)
        items = body if bulk else [body]
        if bulk and not items:
            raise PbxDataError("body", "the list is empty")
        if len(items) > MAX_BULK:
            raise PbxDataError("body", f"give at most {MAX_BULK} entries at once; import a file for more")
        paths = [f"[{i}]" if bulk else "" for i in range(len(items))]
        datas = [self._checked(item, path) for item, path in zip(items, paths, strict=True)]
        try:
            created = services.create_entries(book, datas)
        except services.PhonebookError as exc:
            raise _refused(exc, bulk) from None
        if not bulk:
            location = f"{base.own_path(request).rstrip('/')}/{created[0].pk}"
            return self._respond(created[0], status.HTTP_201_CREATED, {"Location": location})
        return Response([represent_entry(e) for e in created], status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: entry_schema(with_id=True)}, summary="A phonebook entry")
    def retrieve(self, request, name, pk):
        return base.conditional_get(request, represent_entry(self._entry(_phonebook(name), pk)))

    def _change(self, request, name, pk, partial: bool):
        with transaction.atomic():
            book = _phonebook(name, for_update=True)
            entry = self._entry(book, pk, for_update=True)
            current = represent_entry(entry)
            base.check_if_match(request, base.etag_of(current))
            body = request.data
            check_keys(body, "", [ID, *section.ENTRY.fields])
            if body.get(ID, entry.pk) != entry.pk:
                raise PbxDataError(ID, "is the entry's id and cannot change")
            given = {k: v for k, v in body.items() if k != ID}
            current.pop(ID)
            data = section.entry_data(section.ENTRY({**current, **given} if partial else given, ""))
            try:
                fresh = services.update_entry(book, entry, data)
            except services.PhonebookError as exc:
                raise _refused(exc, bulk=False) from None
        return self._respond(fresh)

    @extend_schema(
        request={"application/json": entry_schema(with_id=True)},
        responses={200: entry_schema(True)},
        summary="Replace an entry (keys left out take their defaults)",
    )
    def update(self, request, name, pk):
        return self._change(request, name, pk, partial=False)

    @extend_schema(
        request={"application/json": partial_schema()},
        responses={200: entry_schema(True)},
        summary="Change an entry (keys left out keep their values)",
    )
    def partial_update(self, request, name, pk):
        return self._change(request, name, pk, partial=True)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted")}, summary="Delete an entry")
    def destroy(self, request, name, pk):
        with transaction.atomic():
            book = _phonebook(name, for_update=True)
            entry = self._entry(book, pk, for_update=True)
            base.check_if_match(request, base.etag_of(represent_entry(entry)))
            services.delete_entry(book, entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- /phonebooks/{name}/import ------------------------------------------------------------------------------

MAX_LINES = 1000  # bad rows listed in a refusal (a file may have 200,000)
IMPORT_BODY = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "CSV (sipXconfig, Outlook, Google) or vCard"},
            "replace": {"type": "string", "enum": ["true", "false"], "description": "replace the file entries"},
        },
        "required": ["file"],
    }
}
IMPORT_RESULT = {
    "type": "object",
    "properties": {"imported": {"type": "integer"}, "layout": {"type": "string"}},
    "required": ["imported", "layout"],
}


def rejected_response(parsed: importers.ParsedFile) -> Response:
    """400 naming every bad row by its line (the first MAX_LINES), in the error layout of apps/adminapi/errors.py
    with `lines` for programs."""
    rows = parsed.rejected[:MAX_LINES]
    first_line, first_reason = rows[0]
    count = len(parsed.rejected)
    body = {
        "error": f"Nothing imported: {count} bad row{'s' if count > 1 else ''} in this {parsed.layout} file"
        f" (line {first_line}: {first_reason}).",
        "type": "invalid",
        "fields": {"file": [f"line {line}: {reason}" for line, reason in rows]},
        "lines": [{"line": line, "error": reason} for line, reason in rows],
    }
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(parameters=[NAME_PARAMETER])
class ImportView(base.ApiView, APIView):
    """POST a CSV or vCard file as multipart/form-data field `file` (`replace=true` replaces the file entries)."""

    @extend_schema(request=IMPORT_BODY, responses={200: IMPORT_RESULT}, summary="Import a CSV or vCard file")
    def post(self, request, name):
        book = _phonebook(name)
        if "file" not in request.FILES:
            raise PbxDataError("file", 'is required: send the file as the multipart/form-data field "file"')
        replace = request.data.get("replace", "false")
        if replace not in ("true", "false"):
            raise PbxDataError("replace", f"{show(replace)} is not true or false")
        form = ImportForm({"replace": replace == "true"}, request.FILES)
        if not form.is_valid():
            field, messages = next(iter(form.errors.items()))
            raise PbxDataError(field, " ".join(messages).rstrip("."))
        try:
            parsed, imported = importers.import_file(book, form.cleaned_data["file"].read(), replace == "true")
        except importers.PhonebookFileError as exc:
            raise PbxDataError("file", str(exc).rstrip(".")) from None
        if parsed.rejected:
            return rejected_response(parsed)
        return Response({"imported": imported, "layout": parsed.layout})
