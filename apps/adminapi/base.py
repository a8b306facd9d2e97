"""The plumbing every /api/v1/ view shares: JSON in and out, authentication (Basic and Digest with an admin's PIN,
Bearer tokens, the browser session), the admin permission, throttling, error bodies, limit/offset pagination,
`?q=` search, `?ordering=`, ETags, If-Match and If-None-Match."""

import hashlib
import json

from django.conf import settings
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.adminapi import errors
from apps.adminapi.permissions import IsApiAdmin
from apps.adminapi.throttles import TokenRateThrottle
from apps.pbxdata.schema import PbxDataError, parse_json, show
from apps.users.authentication import BasicAuthentication, DigestAuthentication
from apps.users.tokens import BearerAuthentication


class JsonBodyParser(BaseParser):
    """JSON bodies, parsed as the data file is: a key given twice is remembered (and refused by the object's
    checker) instead of silently keeping the last."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            return parse_json(raw or b"null")
        except PbxDataError as exc:
            raise PbxDataError("body", exc.message) from None


class ApiView:
    """Mixed into every /api/v1/ view (before DRF's APIView or ViewSet)."""

    renderer_classes = [JSONRenderer]
    parser_classes = [JsonBodyParser, MultiPartParser]
    content_negotiation_class = DefaultContentNegotiation
    authentication_classes = [BasicAuthentication, DigestAuthentication, BearerAuthentication, SessionAuthentication]
    permission_classes = [IsApiAdmin]
    throttle_classes = [TokenRateThrottle]

    def get_exception_handler(self):
        return errors.handle


class Page(LimitOffsetPagination):
    """`?limit=&offset=` with the total count: `{"count", "next", "previous", "results"}`."""

    default_limit = 50
    max_limit = 1000

    def get_limit(self, request):
        _whole_number(request, self.limit_query_param, 1)
        return super().get_limit(request) or self.default_limit

    def get_offset(self, request):
        _whole_number(request, self.offset_query_param, 0)
        return super().get_offset(request)


def _whole_number(request, name: str, least: int) -> None:
    # DRF silently falls back to the default for `?limit=abc`: a client with a typo would page wrongly unawares.
    raw = request.query_params.get(name)
    if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= least):
        raise PbxDataError(name, f"{show(raw)} is not a whole number of at least {least}")


# ---- ETags ---------------------------------------------------------------------------------------------------


def etag_of(representation) -> str:
    """A strong ETag of the object's representation: it changes exactly when what a client reads changes."""
    text = json.dumps(representation, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32] + '"'


def check_if_match(request, current: str) -> None:
    """412 when the request's If-Match names none of the current ETag (`*` matches any existing object)."""
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]
    if "*" in tags or current in tags:
        return
    raise errors.PreconditionFailed()


def with_etag(response: Response, representation) -> Response:
    response["ETag"] = etag_of(representation)
    return response


def conditional_get(request, representation) -> Response:
    """A read: the representation with its ETag, or 304 with no body when If-None-Match names that ETag."""
    tag = etag_of(representation)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    return with_etag(Response(representation), representation)


def own_path(request) -> str:
    """The request's path as a URL writes it (percent-encoded; a key's "/" as %2F, apps/adminapi/keypaths.py): the
    base of a Location header."""
    return request.get_full_path().partition("?")[0]


# ---- lists ---------------------------------------------------------------------------------------------------


def ordered(queryset, raw: str, fields: dict[str, str], default: tuple[str, ...]):
    """`?ordering=lastName,-userName` by the wire names of `fields` ({wire: model field}); the primary key last,
    so that pages never repeat or skip a row."""
    order = []
    for part in [p.strip() for p in (raw or "").split(",") if p.strip()]:
        name = part.removeprefix("-")
        if name not in fields:
            known = ", ".join(sorted(fields))
            raise PbxDataError("ordering", f'cannot order by "{name}"; order by one of {known}')
        order.append(("-" if part.startswith("-") else "") + fields[name])
    return queryset.order_by(*(order or default), "pk")


def filtered(request, queryset, filterset_class):
    """The list narrowed by the FilterSet its admin list page uses (same parameters, same meaning)."""
    if filterset_class is None:
        return queryset
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        field, messages = next(iter(filterset.errors.items()))
        raise PbxDataError(field, " ".join(messages).rstrip("."))
    return filterset.qs


def throttle_rate() -> str:
    return settings.API_THROTTLE_RATE
