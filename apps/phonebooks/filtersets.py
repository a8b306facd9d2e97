"""FilterSets for phonebooks: one per listed model, for the admin lists and the admin JSON API (the sipXconfig
phonebook URIs take no query filters; their search is readmodel.search, B.3.8)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.phonebooks.models import Phonebook, PhonebookEntry


class PhonebookFilterSet(django_filters.FilterSet):
    # The search box of the list page and the admin JSON API's ?q=.
    search_fields = ("name", "description")

    group = django_filters.CharFilter(
        method="filter_group",
        label=_("Group"),
        max_length=255,
        help_text="Phonebooks whose members or consumers are the group of this name.",
    )

    class Meta:
        model = Phonebook
        fields = ["group"]

    def filter_group(self, queryset, name, value):
        # The name as stored, as the data file names groups; through the ids, as a join on both group lists would
        # repeat a phonebook that has the group in both.
        named = Q(members__name=value) | Q(consumers__name=value)
        return queryset.filter(pk__in=Phonebook.objects.filter(named).values("pk"))


class PhonebookEntryFilterSet(django_filters.FilterSet):
    """A phonebook's file entries (the page gives the phonebook), by company as well as by the search box."""

    # The search box of the phonebook's page, the admin JSON API's ?q= on /phonebooks/{name}/entries and, for its
    # entries, the portal's "My phonebook" (readmodel.contacts_page): one search of contacts everywhere.
    search_fields = ("first_name", "last_name", "number", "company_name", "email_address")

    company = django_filters.CharFilter(
        field_name="company_name", lookup_expr="icontains", label=_("Company"), max_length=255
    )

    class Meta:
        model = PhonebookEntry
        fields = ["company"]
