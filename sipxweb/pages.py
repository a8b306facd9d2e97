"""The shared base views of the HTML pages: one per kind of page, the only inheritance level above the app
views. Views declare attributes (`model`, `form_class`, `filterset_class`, `search_fields`, `sort_columns`,
`template_name`, `list_url_name`) and override as little as possible; `admin_pages()` builds the usual four admin
pages of a model from those attributes alone.

Every list behaves the same: `search()` (each word of the box found in one of the fields), `?ordering=` by a
column the page names (`Sorting`, header links with aria-sort), page numbers and `?per_page=` (`paginate()`)."""

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, DeleteView, ListView, UpdateView


class AdminRequiredMixin(UserPassesTestMixin):
    """Admin pages: anonymous visitors are sent to the login page, logged-in non-admins get 403."""

    def test_func(self):
        user = self.request.user
        return user.is_authenticated and getattr(user, "is_admin", False)


def search_text(raw: str) -> str:
    # NUL cannot be stored or searched in PostgreSQL text; it is never part of a real search.
    return raw.replace("\x00", "").strip()


MAX_WORDS = 10  # a longer query is not a search someone typed


def search_words(query: str) -> list[str]:
    return search_text(query or "").split()[:MAX_WORDS]


def search(queryset, query: str, fields: tuple[str, ...]):
    """The rows of `queryset` where every word of `query` is in one of `fields` (icontains): "alice smith" finds
    Alice Smith, whose first and last names are two fields. The one search of the list pages, the portal's
    phonebook and the admin JSON API (`?q=`). A search through to-many tables filters on ids, one join per word
    (so rows are not repeated and two words may match two aliases)."""
    words = search_words(query)
    if not words or not fields:
        return queryset

    def matches(word):
        return reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields))

    if not any("__" in f for f in fields):
        return queryset.filter(*(matches(w) for w in words))
    found = queryset.model.objects.all()
    for word in words:
        found = found.filter(matches(word))
    return queryset.filter(pk__in=found.values("pk"))


# ---- sorting and pages -----------------------------------------------------------------------------------

PAGE_SIZES = (10, 25, 50, 100)


def page_size(request, default: int = 25) -> int:
    """`?per_page=` when it is one of PAGE_SIZES, else the page's default (an odd value is no error: the list)."""
    value = request.GET.get("per_page", "")
    return int(value) if value.isdigit() and int(value) in PAGE_SIZES else default


def _query(request, drop: Iterable[str] = (), **values) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    for name, value in values.items():
        params[name] = value
    return params.urlencode()


def paginate(request, rows, per_page: int) -> dict:
    """The context of templates/generic/pagination.html for `rows` (a queryset or anything with count() and
    slices): page_obj, paginator, is_paginated, the page numbers (elided) and the page-size links. A page number
    past the end shows the last page, one that is not a number the first."""
    paginator = Paginator(rows, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
        "object_list": page.object_list,
        **pagination_links(request, page, per_page),
    }


def pagination_links(request, page, per_page: int) -> dict:
    """Page numbers and page sizes of templates/generic/pagination.html (with Django's own ListView pages too)."""
    return {
        "querystring": _query(request, drop=["page"]),
        "size_querystring": _query(request, drop=["page", "per_page"]),
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
    }


@dataclass(frozen=True)
class SortHeader:
    """One sortable column's header: the link's query string and, on the current column, its aria-sort."""

    query: str
    aria: str | None


class Sorting:
    """`?ordering=column` or `-column` among the `columns` a list page names; anything else is the page's default
    order (a list is still shown). `headers[column]` is what templates/generic/sort_header.html needs; a click on
    the current column turns its direction."""

    def __init__(self, request, columns: Iterable[str], default: str):
        columns = list(columns)
        raw = request.GET.get("ordering", "")
        if raw.removeprefix("-") not in columns:
            raw = default
        self.column, self.descending = raw.removeprefix("-"), raw.startswith("-")
        self.value = raw
        self.headers = {}
        for column in columns:
            current = column == self.column
            wanted = f"-{column}" if current and not self.descending else column
            aria = ("descending" if self.descending else "ascending") if current else None
            self.headers[column] = SortHeader(_query(request, drop=["page"], ordering=wanted), aria)

    def order_by(self, columns: Mapping[str, tuple]) -> list:
        """The ORM ordering of the current column: its fields (names or expressions such as Lower("name")), each
        turned when descending, empty values last either way (PostgreSQL and SQLite differ otherwise)."""
        order = []
        for field in columns[self.column]:
            expression = F(field) if isinstance(field, str) else field
            order.append(expression.desc(nulls_last=True) if self.descending else expression.asc(nulls_last=True))
        return order


class ListPage(ListView):
    """A list page with a django-filter FilterSet (`filterset_class`), a search box (`q`, see `search()` over
    `search_fields`), sortable columns (`sort_columns`: {column: (fields...)}, `default_sort`: a column, `-` for
    descending; the template links their headers with generic/sort_header.html) and page numbers with a page-size
    choice (`?per_page=`). Related rows must be fetched by the queryset (`prefetch_related`/annotations) so the
    page costs the same number of queries for any number of rows."""

    paginate_by = 25
    filterset_class = None
    search_fields: tuple[str, ...] = ()
    sort_columns: dict[str, tuple] = {}
    default_sort = ""
    # What get_queryset() finds out, for a page that writes its own get_queryset().
    query, filterset, sorting = "", None, None

    def get_paginate_by(self, queryset):
        return page_size(self.request, self.paginate_by)

    def get_queryset(self):
        qs = super().get_queryset()
        self.query = search_text(self.request.GET.get("q", ""))
        # The FilterSet's search fields, which the admin JSON API's ?q= uses as well (one home for the rule).
        qs = search(qs, self.query, self.search_fields or getattr(self.filterset_class, "search_fields", ()))
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            qs = self.filterset.qs
        self.sorting = None
        if self.sort_columns:
            self.sorting = Sorting(self.request, self.sort_columns, self.default_sort or next(iter(self.sort_columns)))
            # The primary key last: rows with equal values keep one order, so pages never repeat or skip a row.
            qs = qs.order_by(*self.sorting.order_by(self.sort_columns), "pk")
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter=self.filterset, query=self.query, sort=self.sorting and self.sorting.headers)
        if context.get("page_obj") is not None:
            context.update(pagination_links(self.request, context["page_obj"], context["paginator"].per_page))
        else:
            context["querystring"] = _query(self.request, drop=["page"])
        return context

    def paginate_queryset(self, queryset, page_size):
        # A page past the end shows the last one, a page that is not a number the first (as the portal's lists);
        # Django's ListView answers both with a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class _BackToList:
    """After the change, back to the list (`list_url_name`), which the page links to as well."""

    list_url_name = ""

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_url"] = reverse(self.list_url_name)
        return context


UNIQUE_CODES = ("unique", "unique_together")


def unique_sentences(form) -> None:
    """A model form's unique errors as sentences: "Another phone already has this serial number." where Django
    says "Phone with this Serial number already exists." (the model's and field's names, capitalised mid-sentence)."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None or not form.errors:
        return
    noun = model._meta.verbose_name
    for name, errors in form.errors.as_data().items():
        if not any(e.code in UNIQUE_CODES for e in errors):
            continue
        sentences = []
        for error in errors:
            if error.code == "unique":
                try:
                    label = str(model._meta.get_field(name).verbose_name)
                except FieldDoesNotExist:
                    label = str(form.fields[name].label if name in form.fields else name)
                sentences.append(
                    _("Another %(noun)s already has this %(label)s.") % {"noun": noun, "label": label.lower()}
                )
            elif error.code == "unique_together":
                labels = str((error.params or {}).get("field_labels", "")).lower() or _("values")
                sentences.append(_("Another %(noun)s already has these %(labels)s.") % {"noun": noun, "labels": labels})
            else:
                sentences.extend(error.messages)
        form.errors[name] = form.error_class(sentences, renderer=form.renderer)


class FormPage(_BackToList):
    """Create and edit pages (mix in before CreateView/UpdateView): the generic form template, a message
    after saving, and back to the list."""

    template_name = "generic/form.html"
    noun = ""  # "user" (gettext_lazy): the title is "New user" or "User 200"
    delete_url_name = ""  # shown as a Delete link when editing

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s saved.") % {"object": self.object})
        return response

    def form_invalid(self, form):
        unique_sentences(form)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = getattr(self, "object", None) is not None and self.object.pk is not None
        if self.noun:
            if editing:
                title = _("%(noun)s %(object)s") % {"noun": capfirst(self.noun), "object": self.object}
            else:
                title = _("New %(noun)s") % {"noun": self.noun}
            context.setdefault("title", title)
        if editing and self.delete_url_name:
            context["delete_url_name"] = self.delete_url_name
        return context


class DeletePage(_BackToList, DeleteView):
    """A confirmation page (GET) and the deletion (POST), then back to the list with a message."""

    template_name = "generic/confirm_delete.html"

    def form_valid(self, form):
        name = str(self.object)
        response = super().form_valid(form)
        messages.success(self.request, _("%(object)s deleted.") % {"object": name})
        return response


class AdminPages(NamedTuple):
    list: type[View]
    create: type[View]
    update: type[View]
    delete: type[View]


def admin_pages(model, form_class, noun: str, urls: str, **list_attributes) -> AdminPages:
    """The four admin pages of one model (list, add, edit, delete), for administrators only. `urls` is the
    prefix of their URL names (`conferences:conference` -> `..._list`, `..._delete`); `list_attributes` are the
    list page's (`queryset`, `template_name`, `search_fields`, `filterset_class`)."""
    name = model.__name__
    module = sys._getframe(1).f_globals.get("__name__", __name__)  # the caller's, as namedtuple() does
    common = {"model": model, "list_url_name": f"{urls}_list", "__module__": module}
    edit = {**common, "form_class": form_class, "noun": noun}
    update = {**edit, "delete_url_name": f"{urls}_delete"}
    return AdminPages(
        list=type(f"{name}ListView", (AdminRequiredMixin, ListPage), {**common, **list_attributes}),
        create=type(f"{name}CreateView", (AdminRequiredMixin, FormPage, CreateView), edit),
        update=type(f"{name}UpdateView", (AdminRequiredMixin, FormPage, UpdateView), update),
        delete=type(f"{name}DeleteView", (AdminRequiredMixin, DeletePage), common),
    )
