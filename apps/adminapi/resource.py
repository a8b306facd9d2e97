"""A resource of the admin JSON API built on the PBX data file's definitions: the section's checker of one object
(its keys, their defaults and types: the wire names are written once, there), the section's dump of one object,
and the domain's service that stores a batch of them. `ResourceViewSet` gives every such resource the same list,
read, create (one object or a list, all or nothing), replace, change and delete, with ETags and If-Match.

A resource says:
* `name` (URL segment), `kind` (the audit log's kind), `key` (the wire key that is the object's URL key) and
  `lookup` (its model field);
* `item`: the section's checker of one object; `hidden`: keys the data file has that the API never shows
  (secrets and their stored forms, and parts served by other resources); `write_only`: hidden keys a client may
  send (a PIN in clear);
* `queryset()` with everything `represent` reads fetched in a fixed number of queries;
* `represent(obj)`: the object as the data file writes it (hidden keys are dropped and absent ones filled with
  their defaults here); `kept(obj)`: hidden values a change keeps when the body does not give them;
* `validate(item, path)` -> the checked object (a dict holding at least the key), and `save(checked_items)` ->
  rows (raising PbxDataError with the path "[i].key" of the batch's item i);
* `delete(obj)`; `filterset_class` (the admin list page's), `ordering` ({wire: model field}), `default_order`."""

from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from django.db import transaction
from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.adminapi import base
from apps.pbxdata.schema import Checker, PbxDataError, check_keys, complete, json_schema, show
from sipxweb.pages import search, search_text
from sipxweb.rest.errors import Conflict


class Resource:
    name = ""
    kind = ""
    key = ""
    lookup = ""
    item: Checker
    hidden: tuple[str, ...] = ()
    write_only: tuple[str, ...] = ()
    filterset_class = None
    ordering: dict[str, str] = {}
    default_order: tuple[str, ...] = ()
    read_only = False

    # -- what a resource defines
    def queryset(self):
        raise NotImplementedError

    def represent(self, obj) -> dict:
        raise NotImplementedError

    def kept(self, obj) -> dict:
        return {}

    def prepare(self, rows) -> None:
        """Fetches what `represent` reads of other tables for these rows at once (a page, or one object)."""

    def url_key(self, key: str) -> str:
        """The stored form of a key as a URL gives it (a phone's serial may come with colons or in capitals)."""
        return key

    def exists(self, key: str) -> bool:
        """Whether a URL's key names a stored object (apps/adminapi/keypaths.py: a key may hold "/")."""
        return self.queryset().filter(**{self.lookup: self.url_key(key)}).exists()

    @property
    def checker(self) -> Checker:
        # `item` is a plain function stored on the class: read it from there, not as a bound method.
        return type(self).item

    def validate(self, item: dict, path: str):
        return self.checker(item, path)

    def save(self, checked: list) -> list:
        raise NotImplementedError

    def delete(self, obj) -> None:
        raise NotImplementedError

    # -- derived
    @property
    def fields(self) -> dict:
        return self.checker.fields

    @property
    def shown(self) -> list[str]:
        # read for every object of a page: worked out once (a resource's keys do not change)
        try:
            return self._shown
        except AttributeError:
            self._shown = [k for k in self.fields if k not in self.hidden]
            return self._shown

    @property
    def accepted(self) -> list[str]:
        return [*self.shown, *self.write_only]

    def full(self, obj) -> dict:
        """The representation with every shown key, at every depth (absent ones at their defaults)."""
        whole = complete(self.checker, self.represent(obj))
        return {key: whole[key] for key in self.shown}

    def search_fields(self) -> tuple[str, ...]:
        return getattr(self.filterset_class, "search_fields", ())

    # -- schemas for the OpenAPI description
    def representation_schema(self) -> dict:
        whole = json_schema(self.checker)
        props = {k: v for k, v in whole["properties"].items() if k in self.shown}
        return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}

    def body_schema(self, creating: bool, partial: bool = False) -> dict:
        whole = json_schema(self.checker)
        props = {k: v for k, v in whole["properties"].items() if k in self.accepted}
        schema = {"type": "object", "properties": props, "additionalProperties": False}
        if creating:
            schema["required"] = [k for k in whole.get("required", []) if k in props]
        elif not partial:
            schema["required"] = []
        return schema


def _refuse_unknown(body, path: str, accepted: Iterable[str]) -> None:
    check_keys(body, path, accepted)


class ResourceViewSet(base.ApiView, viewsets.ViewSet):
    resource: Resource
    lookup_field = "key"
    # one segment; a key that holds "/" reaches the views through apps/adminapi/keypaths.py
    lookup_value_regex = "[^/]+"
    pagination_class = base.Page

    @classmethod
    def key_exists(cls, key: str) -> bool:
        return cls.resource.exists(key)

    # -- helpers
    def _object(self, key: str, for_update: bool = False):
        queryset = self.resource.queryset()
        lookup = {self.resource.lookup: self.resource.url_key(key)}
        if for_update:
            # The object's own row is locked by a query of its own: PostgreSQL refuses FOR UPDATE with the
            # resource's GROUP BY (a count annotated on each group) and on the nullable side of an outer join.
            list(queryset.model._base_manager.select_for_update().filter(**lookup).values_list("pk", flat=True))
        obj = queryset.filter(**lookup).first()
        if obj is None:
            raise Http404(f"There is no {self.resource.kind} {show(key)}.")
        self.resource.prepare([obj])
        return obj

    def _merged(self, body, path: str, obj=None, partial: bool = False) -> dict:
        """The whole object a write stores: the body over what is stored (PATCH: over the representation; PUT: over
        the defaults), hidden values kept unless the body gives them."""
        res = self.resource
        _refuse_unknown(body, path, res.accepted)
        if obj is None:
            return dict(body)
        current = res.full(obj)
        given_key = body.get(res.key, current[res.key])
        if given_key != current[res.key]:
            raise PbxDataError(f"{path}.{res.key}" if path else res.key, "is the object's key and cannot change")
        base_values = current if partial else {res.key: current[res.key]}
        return {**base_values, **res.kept(obj), **body}

    def _check_writes(self):
        if self.resource.read_only:
            raise PermissionDenied(f"{self.resource.name} are read-only here.")

    def _respond(self, obj, code=status.HTTP_200_OK, headers=None):
        representation = self.resource.full(obj)
        return base.with_etag(Response(representation, status=code, headers=headers), representation)

    # -- actions
    def list(self, request):
        res = self.resource
        queryset = base.filtered(request, res.queryset(), res.filterset_class)
        queryset = search(queryset, search_text(request.query_params.get("q", "")), res.search_fields())
        queryset = base.ordered(queryset, request.query_params.get("ordering", ""), res.ordering, res.default_order)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self)
        res.prepare(rows)
        return paginator.get_paginated_response([res.full(row) for row in rows])

    def retrieve(self, request, key=None):
        return base.conditional_get(request, self.resource.full(self._object(key)))

    def create(self, request):
        self._check_writes()
        res = self.resource
        body = request.data
        bulk = isinstance(body, list)
        items = body if bulk else [body]
        if bulk and not items:
            raise PbxDataError("body", "the list is empty")
        paths = [f"[{i}]" if bulk else "" for i in range(len(items))]
        checked = [res.validate(self._merged(item, p), p) for item, p in zip(items, paths, strict=True)]
        keys = [c[res.key] for c in checked]
        with transaction.atomic():
            taken = set(
                res.queryset().model.objects.filter(**{f"{res.lookup}__in": keys}).values_list(res.lookup, flat=True)
            )
            for key, path in zip(keys, paths, strict=True):
                if key in taken:
                    where = f"{path}.{res.key}" if path else res.key
                    raise Conflict(f"{where}: {res.kind} {show(key)} exists already; change it with PUT or PATCH.")
            self._save(checked, paths)
        if not bulk:
            obj = self._object(keys[0])
            # the key as one URL segment: a space or a non-ASCII letter would make the header unusable
            location = f"{base.own_path(request).rstrip('/')}/{quote(str(keys[0]), safe='')}"
            return self._respond(obj, status.HTTP_201_CREATED, {"Location": location})
        rows = {getattr(o, res.lookup): o for o in res.queryset().filter(**{f"{res.lookup}__in": keys})}
        res.prepare(list(rows.values()))
        return Response([res.full(rows[k]) for k in keys], status=status.HTTP_201_CREATED)

    def _save(self, checked: Sequence, paths: Sequence[str]):
        try:
            return self.resource.save(checked)
        except PbxDataError as exc:
            # the service names "[i].field" of its batch: the bulk request's path, or the lone object's field
            if len(paths) == 1 and not paths[0] and exc.path.startswith("[0]"):
                raise PbxDataError(exc.path[3:].lstrip("."), exc.message) from None
            raise

    def _change(self, request, key, partial: bool):
        self._check_writes()
        res = self.resource
        with transaction.atomic():
            obj = self._object(key, for_update=True)
            base.check_if_match(request, base.etag_of(res.full(obj)))
            body = request.data
            if not isinstance(body, dict):
                raise PbxDataError("body", "expected an object")
            checked = res.validate(self._merged(body, "", obj, partial), "")
            self._save([checked], [""])
        return self._respond(self._object(key))

    def update(self, request, key=None):
        return self._change(request, key, partial=False)

    def partial_update(self, request, key=None):
        return self._change(request, key, partial=True)

    def destroy(self, request, key=None):
        self._check_writes()
        with transaction.atomic():
            obj = self._object(key, for_update=True)
            base.check_if_match(request, base.etag_of(self.resource.full(obj)))
            self.resource.delete(obj)
        return Response(status=status.HTTP_204_NO_CONTENT)


def viewset_for(resource: Resource, extra: Callable | None = None) -> type[ResourceViewSet]:
    """The viewset class of one resource (its OpenAPI description is attached in apps/adminapi/openapi/resource.py)."""
    from apps.adminapi.openapi.resource import ResourceSchema  # drf-spectacular's machinery, loaded with the URLs

    name = "".join(part.capitalize() for part in resource.name.replace("-", " ").split()) + "ViewSet"
    return type(name, (ResourceViewSet,), {"resource": resource, "schema": ResourceSchema(), "__module__": __name__})
