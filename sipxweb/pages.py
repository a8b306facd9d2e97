"""The shared base views of the HTML pages: one per kind of page, the only inheritance level above the app
views. Views declare attributes (`model`, `form_class`, `filterset_class`, `search_fields`, `template_name`,
`list_url_name`) and override as little as possible; `admin_pages()` builds the usual four admin pages of a
model from those attributes alone."""

import sys
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.mixins import UserPassesTestMixin
from django.db.models import Q
from django.urls import reverse
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


def search(queryset, query: str, fields: tuple[str, ...]):
    """The rows of `queryset` with `query` in any of `fields` (icontains), as the list pages and the admin JSON API
    search (`?q=`). Search joins to-many tables: filter on ids so rows are not repeated and ordering stays simple."""
    if not query or not fields:
        return queryset
    condition = reduce(or_, (Q(**{f"{f}__icontains": query}) for f in fields))
    return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))


class ListPage(ListView):
    """A list page with a django-filter FilterSet (`filterset_class`), a search box (`q`, matched with
    `icontains` against `search_fields`) and pagination. Related rows must be fetched by the queryset
    (`prefetch_related`/annotations) so the page costs the same number of queries for any number of rows."""

    paginate_by = 25
    filterset_class = None
    search_fields: tuple[str, ...] = ()

    def get_queryset(self):
        qs = super().get_queryset()
        self.query = search_text(self.request.GET.get("q", ""))
        # The FilterSet's search fields, which the admin JSON API's ?q= uses as well (one home for the rule).
        qs = search(qs, self.query, self.search_fields or getattr(self.filterset_class, "search_fields", ()))
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            qs = self.filterset.qs
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(filter=self.filterset, query=self.query, querystring=params.urlencode())
        return context


class _BackToList:
    """After the change, back to the list (`list_url_name`), which the page links to as well."""

    list_url_name = ""

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_url"] = reverse(self.list_url_name)
        return context


class FormPage(_BackToList):
    """Create and edit pages (mix in before CreateView/UpdateView): the generic form template, a message
    after saving, and back to the list."""

    template_name = "generic/form.html"
    noun = ""  # "user": the title is "New user" or "User 200"
    delete_url_name = ""  # shown as a Delete link when editing

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"{self.object} saved.")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = getattr(self, "object", None) is not None and self.object.pk is not None
        if self.noun:
            context.setdefault("title", f"{self.noun.capitalize()} {self.object}" if editing else f"New {self.noun}")
        if editing and self.delete_url_name:
            context["delete_url_name"] = self.delete_url_name
        return context


class DeletePage(_BackToList, DeleteView):
    """A confirmation page (GET) and the deletion (POST), then back to the list with a message."""

    template_name = "generic/confirm_delete.html"

    def form_valid(self, form):
        name = str(self.object)
        response = super().form_valid(form)
        messages.success(self.request, f"{name} deleted.")
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
