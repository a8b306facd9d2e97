"""Lists of rows the server numbers: each row's URL key is an integer `id` the server gives (the data file's rows
have none), and the rest of it is one object of a PBX data file section. `NumberedViewSet` gives such a list its
six operations, the same wherever it is used (/api/v1/special-mode/schedule, /api/v1/my/away-periods):

* list: `{"count", "next", "previous", "results"}` by `?limit=&offset=`, in `queryset`'s order;
* create: the body without `id` (refused when given), 201 with Location and ETag;
* retrieve: the row with its ETag, 304 to a matching If-None-Match;
* update (PUT) and partial_update (PATCH), after If-Match: `id` may be sent back but not changed; PUT takes the body
  as the whole row (keys left out take their defaults), PATCH merges it into the current representation;
* destroy, after If-Match.

A subclass says what is particular to its list:
* `item`: the section's checker of one row (its keys are the wire keys); `noun`: what a row is called ("period");
  `not_found`: the 404 sentence, with `{}` where the id goes;
* `queryset(request)`: the rows the caller may see, in the list's order;
* `dump(row)`: the row as the data file writes it (the keys it leaves out are filled with their defaults here);
* `save(request, item, row)`: checks `item` and stores it as a new row (`row` None) or into `row`, returns the row,
  raising PbxDataError; `remove(request, row)` (not `delete`: a viewset's `delete` is its DELETE handler).

`documented(...)` describes the six operations in the OpenAPI document under the subclass's own tag and summaries
(drf-spectacular's extend_schema_view, which keeps each subclass's description its own)."""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from apps.adminapi import base
from apps.adminapi.openapi.dialect import oas30
from apps.pbxdata.schema import Checker, PbxDataError, check_keys, complete, json_schema, show

ID = "id"
MAX_ID = 2**62
IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The ETag read; 412 when stale")


# No class docstring: drf-spectacular would take it as every subclass's description.
class NumberedViewSet(base.ApiView, ViewSet):
    pagination_class = base.Page
    item: Checker
    noun = ""
    not_found = ""

    # -- what a subclass defines
    def queryset(self, request):
        raise NotImplementedError

    def dump(self, row) -> dict:
        raise NotImplementedError

    def save(self, request, item, row=None):
        raise NotImplementedError

    def remove(self, request, row) -> None:
        raise NotImplementedError

    # -- derived
    @property
    def checker(self) -> Checker:
        # `item` is a plain function stored on the class: read it from there, not as a bound method.
        return type(self).item

    def represent(self, row) -> dict:
        return {ID: row.pk, **complete(self.checker, self.dump(row))}

    def _row(self, request, pk: str, for_update: bool = False):
        number = int(pk) if pk.isascii() and pk.isdigit() and len(pk) < 20 else 0
        queryset = self.queryset(request)
        if for_update:
            queryset = queryset.select_for_update()
        row = queryset.filter(pk=number).first() if 0 < number <= MAX_ID else None
        if row is None:
            raise Http404(self.not_found.format(show(pk)))
        return row

    def _respond(self, row, code=status.HTTP_200_OK, headers=None) -> Response:
        representation = self.represent(row)
        return base.with_etag(Response(representation, status=code, headers=headers), representation)

    # -- actions
    def list(self, request):
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(self.queryset(request), request, view=self)
        return paginator.get_paginated_response([self.represent(row) for row in rows])

    def create(self, request):
        body = request.data
        if isinstance(body, dict) and ID in body:
            raise PbxDataError(ID, "is given by the server; leave it out")
        with transaction.atomic():
            row = self.save(request, body)
        return self._respond(row, status.HTTP_201_CREATED, {"Location": f"{request.path.rstrip('/')}/{row.pk}"})

    def retrieve(self, request, pk):
        return base.conditional_get(request, self.represent(self._row(request, pk)))

    def _change(self, request, pk, partial: bool) -> Response:
        with transaction.atomic():
            row = self._row(request, pk, for_update=True)
            current = self.represent(row)
            base.check_if_match(request, base.etag_of(current))
            body = request.data
            check_keys(body, "", [ID, *self.checker.fields])
            if body.get(ID, row.pk) != row.pk:
                raise PbxDataError(ID, f"is the {self.noun}'s id and cannot change")
            given = {k: v for k, v in body.items() if k != ID}
            current.pop(ID)
            row = self.save(request, {**current, **given} if partial else given, row)
        return self._respond(row)

    def update(self, request, pk):
        return self._change(request, pk, partial=False)

    def partial_update(self, request, pk):
        return self._change(request, pk, partial=True)

    def destroy(self, request, pk):
        with transaction.atomic():
            row = self._row(request, pk, for_update=True)
            base.check_if_match(request, base.etag_of(self.represent(row)))
            self.remove(request, row)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---- the OpenAPI description -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summaries:
    list: str
    create: str
    retrieve: str
    update: str
    partial_update: str
    destroy: str


def row_schema(item: Checker, description: str, example: dict, with_id: bool = True, partial: bool = False) -> dict:
    """A row: the section's object (its description and example given here), with the read-only `id` unless it is
    a body that creates; with no required key for a PATCH."""
    schema = oas30(json_schema(item))
    schema["description"] = description
    schema["example"] = example
    if with_id:
        schema["properties"] = {ID: {"type": "integer", "readOnly": True}, **schema["properties"]}
    if partial:
        schema.pop("required", None)
    return schema


def page_schema(row: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "results": {"type": "array", "items": row},
        },
    }


def documented(*, description: str, example: dict, tag: str, summaries: Summaries, if_match: bool):
    """The class decorator describing a NumberedViewSet's six operations from its `item` and `noun`, under `tag`,
    with the row's `description` and `example`; `if_match`: whether the changing operations list the If-Match header
    among their parameters."""

    def decorate(view: type[NumberedViewSet]) -> type[NumberedViewSet]:
        def row(**kwargs) -> dict:
            # A fresh copy for each use: the schema hooks mark request bodies in place (sipxweb.rest.schema).
            return row_schema(view.item, description, example, **kwargs)

        id_parameter = OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The {view.noun}'s id")
        changing = [id_parameter, IF_MATCH] if if_match else [id_parameter]
        return extend_schema_view(
            list=extend_schema(
                summary=summaries.list,
                parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
                responses={200: page_schema(row())},
                tags=[tag],
            ),
            create=extend_schema(
                summary=summaries.create,
                request={"application/json": row(with_id=False)},
                responses={201: row()},
                tags=[tag],
            ),
            retrieve=extend_schema(
                summary=summaries.retrieve, parameters=[id_parameter], responses={200: row()}, tags=[tag]
            ),
            update=extend_schema(
                summary=summaries.update,
                parameters=changing,
                request={"application/json": row()},
                responses={200: row()},
                tags=[tag],
            ),
            partial_update=extend_schema(
                summary=summaries.partial_update,
                parameters=changing,
                request={"application/json": row(partial=True)},
                responses={200: row()},
                tags=[tag],
            ),
            destroy=extend_schema(
                summary=summaries.destroy,
                parameters=changing,
                responses={204: OpenApiResponse(description="Deleted")},
                tags=[tag],
            ),
        )(view)

    return decorate
