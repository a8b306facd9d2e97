"""The merged view of a user (B.3.5): sources, de-duplication on number_first_last, order, "everyone"; the
search of B.3.8 (first name, last name, number prefix, user name, alias; words; case); B.2.2's members view."""

import pytest

from apps.phonebooks import readmodel, services
from apps.phonebooks.models import Phonebook, PhonebookSettings
from apps.users.models import User, UserGroup


def numbers(rows):
    return [row.number for row in rows]


@pytest.fixture
def world(make_user):
    """u1 in group A consumes book P (members group B: u2, u3) with file entries; u4 is in no group."""
    a, b = UserGroup.objects.create(name="A"), UserGroup.objects.create(name="B")
    u1 = make_user("100", first_name="Una", last_name="One", aliases=["una"])
    u2 = make_user("102", first_name="Bea", last_name="Two", aliases=["beatrix"])
    u3 = make_user("101", first_name="Cy", last_name="Three")
    u4 = make_user("104", first_name="Dee", last_name="Four")
    u1.groups.add(a)
    u2.groups.add(b)
    u3.groups.add(b)
    book = Phonebook.objects.create(name="P")
    book.members.add(b)
    book.consumers.add(a)
    services.add_entries(
        [
            {"first_name": "Zed", "last_name": "Alpha", "number": "20"},
            {"first_name": "Amy", "last_name": "Beta", "number": "200"},
            {"first_name": "Amy", "last_name": "Beta", "number": "200"},  # duplicate inside the file
            {"first_name": "Bea", "last_name": "Two", "number": "102"},  # duplicate of the user 102
            {"first_name": "amy", "last_name": "Beta", "number": "200"},  # not a duplicate: case differs
        ],
        phonebook=book,
    )
    return {"u1": u1, "u2": u2, "u3": u3, "u4": u4, "book": book, "a": a, "b": b}


def test_merge_dedupe_and_order(world):
    rows = list(readmodel.iter_merged(world["u1"]))
    # number, then first name, then last name, plain string order ("20" < "200"; "Amy" < "amy").
    assert [(r.number, r.first_name) for r in rows] == [
        ("101", "Cy"),
        ("102", "Bea"),
        ("20", "Zed"),
        ("200", "Amy"),
        ("200", "amy"),
    ]
    assert rows[1].source == readmodel.USER  # the user wins over the identical file entry
    assert readmodel.merged_count(world["u1"]) == 5


def test_private_entries_win_and_keep_their_id(world):
    entry = services.create_private_entry(world["u1"], {"first_name": "Own", "last_name": "Entry", "number": "300"})
    services.add_entries([{"first_name": "Zed", "last_name": "Alpha", "number": "20"}], private=entry.private_phonebook)
    page = readmodel.merged_page(world["u1"], 0, 100)
    by_number = {row.number: row for row in page.rows}
    assert by_number["20"].source == readmodel.PRIVATE and by_number["20"].private_id is not None
    assert by_number["300"].private_id == entry.pk
    assert by_number["101"].private_id is None
    assert page.size == 6


def test_not_a_consumer_sees_nothing_but_everyone_adds_all_other_users(world):
    assert list(readmodel.iter_merged(world["u4"])) == []
    PhonebookSettings.objects.create(pk=1, everyone=True)
    assert numbers(readmodel.iter_merged(world["u4"])) == ["100", "101", "102"]  # not the caller
    # u1 now sees every other user, and still not itself (it is no member of P).
    assert "104" in numbers(readmodel.iter_merged(world["u1"]))
    assert "100" not in numbers(readmodel.iter_merged(world["u1"]))


def test_member_sees_itself_when_it_consumes_its_own_book(world):
    world["book"].consumers.add(world["b"])
    assert numbers(readmodel.iter_merged(world["u2"]))[:2] == ["101", "102"]


def test_two_books_overlap_once(world):
    other = Phonebook.objects.create(name="Q")
    other.consumers.add(world["a"])
    other.members.add(world["b"])
    services.add_entries([{"first_name": "Zed", "last_name": "Alpha", "number": "20"}], phonebook=other)
    assert readmodel.merged_count(world["u1"]) == 5
    # A third phonebook overlapping both, a private entry overlapping a file entry, a new key in each:
    third = Phonebook.objects.create(name="R")
    third.consumers.add(world["a"])
    services.add_entries(
        [
            {"first_name": "Zed", "last_name": "Alpha", "number": "20"},
            {"first_name": "Amy", "last_name": "Beta", "number": "200"},
            {"first_name": "New", "last_name": "One", "number": "1"},
            {"first_name": "New", "last_name": "One", "number": "1"},
        ],
        phonebook=third,
    )
    book = services.private_phonebook(world["u1"], create=True)
    services.add_entries([{"first_name": "Zed", "last_name": "Alpha", "number": "20"}, {"number": "2"}], private=book)
    assert third.__class__.objects.get(pk=third.pk).key_count == 3
    expected = len(list(readmodel.iter_merged(world["u1"])))
    assert expected == 7
    assert readmodel.merged_count(world["u1"]) == expected  # stored counts + probes


def test_paging_and_filter(world):
    page = readmodel.merged_page(world["u1"], 1, 3)
    assert numbers(page.rows) == ["102", "20"] and (page.start, page.end, page.size) == (1, 3, 5)
    page = readmodel.merged_page(world["u1"], 4, 50)
    assert (page.start, page.end, numbers(page.rows)) == (4, 5, ["200"])
    page = readmodel.merged_page(world["u1"], 9, 12)
    assert (page.start, page.end, page.rows) == (5, 5, [])
    page = readmodel.merged_page(world["u1"], 0, 10, "AM")
    assert (page.size, page.filtered_size, numbers(page.rows)) == (5, 2, ["200", "200"])


def test_chunked_walk_matches_one_query(world):
    assert numbers(readmodel.iter_merged(world["u1"], chunk=2)) == numbers(readmodel.iter_merged(world["u1"]))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cy", ["101"]),  # first name of a user
        ("THREE", ["101"]),  # last name, any case
        ("beatrix", ["102"]),  # alias
        ("10", ["101", "102"]),  # user name prefix
        ("alp", ["20"]),  # file entry last name
        ("20", ["20", "200", "200"]),  # number prefix
        ("amy beta", ["200", "200"]),  # every word must match
        ("zzz", []),
        ("100", []),  # the caller is not in its own view
        ("%", []),
        ("_", []),
    ],
)
def test_search(world, query, expected):
    assert numbers(readmodel.search(world["u1"], query)) == expected


def test_search_words_and_number_forms(world):
    entry = services.create_private_entry(
        world["u1"], {"first_name": "Mary Ann", "last_name": "Smith-Jones", "number": "+1 (555) 123"}
    )
    for query in ("ann", "jones", "smith", "+1", "555", "mary"):
        assert [r.private_id for r in readmodel.search(world["u1"], query)] == [entry.pk], query


def test_members_view_of_one_phonebook(world):
    rows = list(readmodel.iter_phonebook_rows(world["book"]))
    # last, first, number order; duplicates dropped; members included once.
    assert rows == [
        ("Zed", "Alpha", "20"),
        ("Amy", "Beta", "200"),
        ("amy", "Beta", "200"),
        ("Cy", "Three", "101"),
        ("Bea", "Two", "102"),
    ]


def test_sees_key_and_duplicates(world):
    with pytest.raises(services.DuplicateEntry):
        services.create_private_entry(world["u1"], {"first_name": "Cy", "last_name": "Three", "number": "101"})
    entry = services.create_private_entry(world["u1"], {"first_name": "A", "last_name": "B", "number": "9"})
    services.update_private_entry(world["u1"], entry, {"first_name": "A", "last_name": "B", "number": "9"})
    with pytest.raises(services.DuplicateEntry):
        services.update_private_entry(world["u1"], entry, {"first_name": "Zed", "last_name": "Alpha", "number": "20"})
    assert User.objects.count() == 4
