"""The users' `language` key: optional on import (default "", the browser's), always exported, refused when it
names no language of the pages, kept across an export and re-import."""

import pytest
from django.core.management import CommandError

from apps.pbxdata.schema import json_schema
from apps.pbxdata.sections.users import USER
from apps.users.models import User
from tests.pbxdata.helpers import doc, export


def test_language_is_imported_and_always_exported(import_file):
    import_file(doc(users=[{"userName": "a", "language": "de"}, {"userName": "b"}]))
    assert dict(User.objects.values_list("username", "language")) == {"a": "de", "b": ""}
    users = export()["users"]
    assert [u["language"] for u in users] == ["de", ""]


def test_language_round_trips(import_file, tmp_path):
    import_file(doc(users=[{"userName": "a", "language": "en"}, {"userName": "b", "language": "de"}]))
    first = export()
    User.objects.all().delete()
    import_file(first, "--replace")
    assert export()["users"] == first["users"]
    assert dict(User.objects.values_list("username", "language")) == {"a": "en", "b": "de"}


@pytest.mark.parametrize("value", ["fr", "DE", 1, None])
def test_an_unknown_language_is_refused_with_its_path(import_file, value):
    with pytest.raises(CommandError) as refused:
        import_file(doc(users=[{"userName": "a", "language": value}]))
    assert "users[0].language" in str(refused.value)
    assert not User.objects.exists()


def test_the_schema_lists_the_languages():
    described = json_schema(USER)
    assert described["properties"]["language"]["enum"] == ["", "en", "de"]
    assert "language" not in described.get("required", [])
