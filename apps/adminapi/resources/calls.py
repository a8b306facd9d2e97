"""/api/v1/cdrs and /api/v1/active-calls: call records, read-only, with the PBX data file's call keys
(apps/pbxdata/sections/calls.py: `callId`, `from`, `to`, `start`, ...) and their `id`.

* `GET /cdrs`: newest first (start time, then id), filtered as the call history page filters (apps.cdrs'
  CdrFilterSet: `start`, `end`, `user`, `direction`), by cursor: `{"count", "next", "previous", "results"}`.
  The cursor is the last row's (start time, id), so records stored while a client pages (new calls, late call
  records of old ones) neither repeat nor shift a row across pages. `count` is null unless the client asks for it
  with `?count=true` (counting every record of a large history costs more than a page); `?limit=` sets the page
  size. `GET /cdrs/{id}`: one record, with its ETag.
* `GET /active-calls`: the calls the sipXconfig active-calls URI serves (apps.cdrs.services.active_calls, oldest
  first; `?user=` the user part of the caller or callee, as `activecdrs/{user}`), with `durationSecs` so far;
  limit/offset with the count."""

from datetime import datetime

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, _reverse_ordering
from rest_framework.response import Response

from apps.adminapi import base
from apps.cdrs import services
from apps.cdrs.filtersets import CdrFilterSet
from apps.cdrs.models import Cdr
from apps.pbxdata.schema import PbxDataError, complete, json_schema, show
from apps.pbxdata.sections import calls as call_section

DURATION_KEY = "durationSecs"  # the data file's name of a length in seconds (a voicemail message's)


def represent(cdr: Cdr) -> dict:
    return {"id": cdr.pk, **complete(call_section.CALL, call_section.dump_call(cdr))}


def represent_active(cdr: Cdr, now: datetime) -> dict:
    return {**represent(cdr), DURATION_KEY: services.active_duration_ms(cdr, now) // 1000}


# ---- the cursor -----------------------------------------------------------------------------------------------


class CallCursor(CursorPagination):
    """DRF's cursor pagination whose position is the pair (start time, id) of a row, which no other row shares: a
    page starts strictly after the previous page's last row, whatever was inserted since (DRF's own cursor keeps
    only the start time and counts an offset past rows of the same time, which an insert at that time shifts)."""

    ordering = ("-start_time", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 1000
    count_query_param = "count"

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's paginate_queryset, with the position compared as a pair.
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        counting = request.query_params.get(self.count_query_param, "false")
        if counting not in ("true", "false"):
            raise PbxDataError(self.count_query_param, f"is true or false, not {show(counting)}")
        self.count = queryset.count() if counting == "true" else None
        self.cursor = self.decode_cursor(request)
        offset, reverse, current_position = (0, False, None) if self.cursor is None else self.cursor
        queryset = queryset.order_by(*(_reverse_ordering(self.ordering) if reverse else self.ordering))
        if current_position is not None:
            when, pk = self._parse(current_position)
            if reverse:  # towards newer rows
                queryset = queryset.filter(Q(start_time__gt=when) | Q(start_time=when, id__gt=pk))
            else:
                queryset = queryset.filter(Q(start_time__lt=when) | Q(start_time=when, id__lt=pk))
        results = list(queryset[offset : offset + self.page_size + 1])
        self.page = results[: self.page_size]
        has_following = len(results) > len(self.page)
        following = self._get_position_from_instance(results[-1], self.ordering) if has_following else None
        if reverse:
            self.page.reverse()
            self.has_next = current_position is not None or offset > 0
            self.has_previous = has_following
            self.next_position = current_position if self.has_next else None
            self.previous_position = following
        else:
            self.has_next = has_following
            self.has_previous = current_position is not None or offset > 0
            self.next_position = following
            self.previous_position = current_position if self.has_previous else None
        self.display_page_controls = False
        return self.page

    def _get_position_from_instance(self, instance, ordering):
        return f"{instance.start_time.isoformat()}|{instance.pk}"

    def _parse(self, position: str) -> tuple[datetime, int]:
        when, _, pk = position.rpartition("|")
        try:
            parsed = datetime.fromisoformat(when)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or not pk.isascii() or not pk.isdigit() or len(pk) > 19:
            raise self._refused()
        return parsed, int(pk)

    def _refused(self) -> PbxDataError:
        return PbxDataError(self.cursor_query_param, "is not a cursor of this list; follow the next or previous link")

    def decode_cursor(self, request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._refused() from None
        if cursor is not None and cursor.position is not None:
            self._parse(cursor.position)
        return cursor

    def get_paginated_response(self, data):
        return Response(
            {"count": self.count, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )


# ---- OpenAPI --------------------------------------------------------------------------------------------------

CALL_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, **json_schema(call_section.CALL)["properties"]},
    "required": ["id", *call_section.CALL.fields],
}
ACTIVE_CALL_SCHEMA = {
    "type": "object",
    "properties": {**CALL_SCHEMA["properties"], DURATION_KEY: {"type": "integer", "minimum": 0}},
    "required": [*CALL_SCHEMA["required"], DURATION_KEY],
}


def list_of(item: dict, count_nullable: bool) -> dict:
    return {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "nullable": count_nullable},
            "next": {"type": "string", "nullable": True},
            "previous": {"type": "string", "nullable": True},
            "results": {"type": "array", "items": item},
        },
        "required": ["count", "next", "previous", "results"],
    }


# ---- the viewsets ---------------------------------------------------------------------------------------------


def _filtered(request, queryset):
    try:
        return base.filtered(request, queryset, CdrFilterSet)
    except PbxDataError as exc:
        if exc.path == "__all__":  # the form's own check: the range ends before it starts
            raise PbxDataError("end", exc.message) from None
        raise


class CdrViewSet(base.ApiView, viewsets.ViewSet):
    """Call records, read-only (administrators)."""

    lookup_value_regex = "[^/]+"

    @extend_schema(
        summary="Call records, newest first",
        parameters=[
            OpenApiParameter("start", str, description="from this date (YYYY-MM-DD)"),
            OpenApiParameter("end", str, description="to this date, inclusive (YYYY-MM-DD)"),
            OpenApiParameter("user", str, description="the user part of the caller or callee"),
            OpenApiParameter("direction", str, enum=["in", "out"], description="which side `user` is"),
            OpenApiParameter("cursor", str, description="from a next or previous link"),
            OpenApiParameter("limit", int, description="records per page (at most 1000)"),
            OpenApiParameter("count", bool, description="also count every matching record"),
        ],
        responses={200: list_of(CALL_SCHEMA, count_nullable=True)},
    )
    def list(self, request):
        paginator = CallCursor()
        rows = paginator.paginate_queryset(_filtered(request, Cdr.objects.all()), request, view=self)
        return paginator.get_paginated_response([represent(cdr) for cdr in rows])

    @extend_schema(summary="A call record", responses={200: CALL_SCHEMA})
    def retrieve(self, request, pk=None):
        cdr = Cdr.objects.filter(pk=pk).first() if pk.isascii() and pk.isdigit() and len(pk) < 19 else None
        if cdr is None:
            raise Http404(f"There is no call record {show(pk)}.")
        representation = represent(cdr)
        return base.with_etag(Response(representation), representation)


class ActiveCallViewSet(base.ApiView, viewsets.ViewSet):
    """The calls in progress, read-only (administrators)."""

    pagination_class = base.Page

    @extend_schema(
        summary="Active calls, oldest first",
        parameters=[
            OpenApiParameter("user", str, description="the user part of the caller or callee"),
            OpenApiParameter("limit", int),
            OpenApiParameter("offset", int),
        ],
        responses={200: list_of(ACTIVE_CALL_SCHEMA, count_nullable=False)},
    )
    def list(self, request):
        user = request.query_params.get("user") or None
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(services.active_calls(user), request, view=self)
        now = timezone.now()
        return paginator.get_paginated_response([represent_active(cdr, now) for cdr in rows])
