"""Phonebook URIs, written out one by one (they are a contract); `my_paths` adds the /private/{key}/ aliases."""

from django.urls import path

from apps.phonebooks.api import views
from sipxweb.rest.routes import my_paths

app_name = "phonebooks-api"

urlpatterns = [
    path("phonebook", views.PhonebookListView.as_view(), name="phonebooks"),
    path("phonebook/<str:name>", views.PhonebookView.as_view(), name="phonebook"),
    *my_paths("phonebook", views.MyPhonebookView.as_view(), name="my-phonebook"),
    *my_paths("phonebook/entry/<str:entry_id>", views.MyPhonebookEntryView.as_view(), name="phonebook-entry"),
    *my_paths("pagedphonebook", views.MyPagedPhonebookView.as_view(), name="paged-phonebook"),
    *my_paths("search/phonebook", views.MySearchPhonebookView.as_view(), name="search-phonebook"),
]
