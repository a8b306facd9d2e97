"""The read side of the phonebooks: what a user sees, built in SQL (the writes are in services.py).

The merged view of a user (docs/compatibility.md B.3.5) is built in SQL, never by loading every entry into Python:

* `_candidates()` writes one UNION ALL query of `(k, t)` pairs: `k` is the entry's sort key
  (number U+0001 first U+0001 last, see models.py) and `t` says where the row comes from: `0<id>` a private
  entry, `1<id>` a user (members of the consumed phonebooks, or everyone), `2<id>` a file entry of a consumed
  phonebook. Filters (paged `filter`, search words, "after this key", "equal to this key") are pushed into
  every branch so each can use its index.
* De-duplication on `number_first_last` is `GROUP BY k`, keeping `MIN(t)`: a private entry wins over a user,
  a user over a file entry (the private entry keeps its id for the paged view; a user has the richest data).
* `merged_page()` (paged view, portal page) is GROUP BY + ORDER BY + LIMIT/OFFSET; `merged_count()` counts keys;
  `iter_merged()` walks the whole view in key order by keyset pagination (`k > last key`, CHUNK rows a query)
  for GET /my/phonebook and the exports; `search()` matches words through the `EntryWord` index.
* Only the rows returned are then loaded as objects (`_load()`: one query for entries, two for users), so the
  number of queries does not depend on the number of entries.

`GET /phonebook/{name}` (B.2.2) is another order (last, first, number) and no private entries or "everyone":
`iter_phonebook_chunks()` streams lists of plain tuples from a server-side cursor and drops adjacent duplicates."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from apps.phonebooks.models import SEP, EntryWord, Phonebook, PhonebookEntry, PhonebookSettings, PrivatePhonebook
from apps.users.models import LoginName, User, UserProfile

CHUNK = 5000  # rows per query when walking a whole view
TOP = "\U0010ffff"  # greater than any character: [term, term+TOP) is every word starting with term

PRIVATE, USER, FILE = "0", "1", "2"


@dataclass
class MergedRow:
    """One row of a merged view: `entry` (private or file entry) or `user` (with profile and login names); a phone's
    view (`iter_merged(on_phone=True)`) holds `EntryNames` / `UserNames` instead."""

    key: str
    source: str  # PRIVATE, USER or FILE
    entry: PhonebookEntry | None = None
    user: User | None = None

    @property
    def first_name(self) -> str:
        return (self.entry or self.user).first_name

    @property
    def last_name(self) -> str:
        return (self.entry or self.user).last_name

    @property
    def number(self) -> str:
        return self.entry.number if self.entry is not None else self.user.username

    @property
    def private_id(self) -> int | None:
        return self.entry.pk if self.source == PRIVATE else None

    @property
    def contact(self):
        """Where the contact fields are: the entry, or the user's profile (None without one)."""
        if self.entry is not None:
            return self.entry
        try:
            return self.user.profile
        except UserProfile.DoesNotExist:
            return None

    @property
    def company(self) -> str:
        return getattr(self.contact, "company_name", None) or ""

    @property
    def email(self) -> str:
        return getattr(self.contact, "email_address", None) or ""

    @property
    def source_name(self) -> str:
        """Where the row comes from, as the portal says it: "Private", "Colleague" or the phonebook's name (loaded
        with `_load(with_phonebook=True)`)."""
        if self.source == PRIVATE:
            return "Private"
        if self.source == USER:
            return "Colleague"
        return self.entry.phonebook.name


@dataclass
class Page:
    size: int
    filtered_size: int
    start: int
    end: int
    rows: list[MergedRow] = field(default_factory=list)


# ---- SQL of the merged view ----------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def tables() -> dict:
    return {
        "entry": PhonebookEntry._meta.db_table,
        "private": PrivatePhonebook._meta.db_table,
        "word": EntryWord._meta.db_table,
        "user": User._meta.db_table,
        "ug": User.groups.through._meta.db_table,
        "members": Phonebook.members.through._meta.db_table,
        "consumers": Phonebook.consumers.through._meta.db_table,
        "profile": UserProfile._meta.db_table,
        "login": LoginName._meta.db_table,
    }


@dataclass
class Scope:
    """What a user sees, resolved once per call (one query): the consumed phonebooks, the private phonebook,
    whether "everyone" is on. The view's SQL then names the phonebooks by id, one UNION branch each, so
    PostgreSQL reads each branch in key order from its (phonebook, sort_key) index and merges them (Merge
    Append) instead of sorting every row: the cost of a page is the rows before it, not the whole view."""

    user_id: int
    books: list[int]
    private_id: int | None
    everyone: bool
    key_counts: dict = field(default_factory=dict)  # phonebook id -> Phonebook.key_count


def scope_of(user: User, on_phone: bool = False) -> Scope:
    """`on_phone`: the view a phone shows (apps/provisioning), where the private entries count only while the
    user's "show on phone" setting is on (sipXconfig's rule)."""
    T = tables()
    shown = " AND pp.show_on_phone = %s" if on_phone else ""
    sql = (
        f"SELECT 'b', pc.phonebook_id, pb.key_count FROM {T['consumers']} pc"
        f" JOIN {T['ug']} cg ON cg.usergroup_id = pc.usergroup_id"
        f" JOIN {Phonebook._meta.db_table} pb ON pb.id = pc.phonebook_id WHERE cg.user_id = %s"
        f" UNION ALL SELECT 'p', pp.id, NULL FROM {T['private']} pp WHERE pp.user_id = %s{shown}"
        f" UNION ALL SELECT 'e', s.id, NULL FROM {PhonebookSettings._meta.db_table} s"
        " WHERE s.id = 1 AND s.everyone = %s"
    )
    rows = _fetch(sql, [user.pk, user.pk, *([True] if on_phone else []), True])
    counts = {ref: n for kind, ref, n in rows if kind == "b"}
    private = next((ref for kind, ref, _ in rows if kind == "p"), None)
    return Scope(user.pk, sorted(counts), private, any(kind == "e" for kind, _, _ in rows), counts)


def _candidates(
    scope: Scope,
    *,
    filter_text: str | None = None,
    terms: list[str] | None = None,
    after: str | None = None,
    keys: list[str] | None = None,
    tags: bool = True,
    ordered: bool = False,
    files: bool = True,
    matches: tuple[tuple[str, list], tuple[str, list]] | None = None,
    sort: str | None = None,
) -> tuple[str, list]:
    """SQL `SELECT k[, t]` of every row the user sees (duplicates included) and its parameters. `ordered`: each
    branch sorted by k (PostgreSQL then merges the branches in order; the caller must ORDER BY k). `matches`: SQL
    selecting the ids of the entries and of the users to keep (`Contacts`); `sort`: one of SORTS, adding the
    columns s1..s4 that order the rows for people (`Contacts`)."""
    T = tables()
    postgres = _postgres()
    collate = ' COLLATE "C"' if postgres else ""

    entry_where: list[str] = []
    entry_params: list = []
    user_where: list[str] = []
    user_params: list = []
    user_key = f"(u.username || %s || u.first_name || %s || u.last_name){collate}"
    if keys is not None:
        marks = ", ".join(["%s"] * len(keys))
        entry_where.append(f"e.sort_key IN ({marks})")
        entry_params += keys
        user_where.append(f"{user_key} IN ({marks})")
        user_params += [SEP, SEP, *keys]
    if after is not None:
        entry_where.append("e.sort_key > %s")
        entry_params.append(after)
        user_where.append(f"{user_key} > %s")
        user_params += [SEP, SEP, after]
    if filter_text:
        pattern = f"%{_like(filter_text.lower())}%"
        entry_where.append(
            "(LOWER(e.first_name) LIKE %s ESCAPE '\\' OR LOWER(e.last_name) LIKE %s ESCAPE '\\' "
            "OR LOWER(e.number) LIKE %s ESCAPE '\\' OR LOWER(COALESCE(e.email_address, '')) LIKE %s ESCAPE '\\')"
        )
        entry_params += [pattern] * 4
        user_where.append(
            "(LOWER(u.first_name) LIKE %s ESCAPE '\\' OR LOWER(u.last_name) LIKE %s ESCAPE '\\' "
            "OR LOWER(u.username) LIKE %s ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
            f"{T['profile']} pr WHERE pr.user_id = u.id AND LOWER(COALESCE(pr.email_address, '')) LIKE %s ESCAPE '\\'))"
        )
        user_params += [pattern] * 4
    if matches is not None:
        (entry_sql, entry_match), (user_sql, user_match) = matches
        entry_where.append(f"e.id IN ({entry_sql})")
        entry_params += entry_match
        user_where.append(f"u.id IN ({user_sql})")
        user_params += user_match
    for term in terms or ():
        entry_where.append(f"e.id IN (SELECT w.entry_id FROM {T['word']} w WHERE w.word >= %s AND w.word < %s)")
        entry_params += [term, term + TOP]
        prefix, inner = f"{_like(term)}%", f"% {_like(term)}%"
        user_where.append(
            "(LOWER(u.username) LIKE %s ESCAPE '\\' OR LOWER(u.first_name) LIKE %s ESCAPE '\\' "
            "OR LOWER(u.first_name) LIKE %s ESCAPE '\\' OR LOWER(u.last_name) LIKE %s ESCAPE '\\' "
            "OR LOWER(u.last_name) LIKE %s ESCAPE '\\' OR u.id IN (SELECT ln.user_id FROM "
            f"{T['login']} ln WHERE ln.kind = 'alias' AND ln.folded LIKE %s ESCAPE '\\'))"
        )
        user_params += [prefix, prefix, inner, prefix, inner, prefix]

    def extra(where):
        return "".join(f" AND {w}" for w in where)

    # Each branch sorted on its own, so PostgreSQL merges them; a single branch needs only the outer ORDER BY.
    several = (scope.private_id is not None) + bool(scope.books or scope.everyone) + len(scope.books) * files > 1

    def branch(sql: str) -> str:
        return f"({sql} ORDER BY 1)" if ordered and postgres and several else sql

    def tag(source: str, alias: str) -> str:
        columns = f", '{source}' || CAST({alias}.id AS TEXT) AS t" if tags else ""
        if sort is not None:
            if alias == "u":
                names = {"last": "u.last_name", "first": "u.first_name", "number": "u.username"}
            else:
                names = {"last": "e.last_name", "first": "e.first_name", "number": "e.number"}
            columns += "".join(f", {sql.format(**names)} AS s{i}" for i, sql in enumerate(SORTS[sort], start=1))
        return columns

    branches: list[str] = []
    params: list = []
    if scope.private_id is not None:
        branches.append(
            branch(
                f"SELECT e.sort_key AS k{tag(PRIVATE, 'e')} FROM {T['entry']} e"
                f" WHERE e.private_phonebook_id = %s{extra(entry_where)}"
            )
        )
        params += [scope.private_id, *entry_params]
    if scope.books or scope.everyone:
        marks = ", ".join(["%s"] * len(scope.books)) or "NULL"
        who = (
            f"u.id IN (SELECT mg.user_id FROM {T['ug']} mg JOIN {T['members']} pm ON pm.usergroup_id = mg.usergroup_id"
            f" WHERE pm.phonebook_id IN ({marks}))"
        )
        who_params: list = list(scope.books)
        if scope.everyone:
            who = f"({who} OR u.id <> %s)"
            who_params.append(scope.user_id)
        branches.append(
            branch(f"SELECT {user_key} AS k{tag(USER, 'u')} FROM {T['user']} u WHERE {who}{extra(user_where)}")
        )
        params += [SEP, SEP, *who_params, *user_params]
    for book in scope.books if files else ():
        branches.append(
            branch(
                f"SELECT e.sort_key AS k{tag(FILE, 'e')} FROM {T['entry']} e"
                f" WHERE e.phonebook_id = %s{extra(entry_where)}"
            )
        )
        params += [book, *entry_params]
    if not branches:
        columns = ", NULL AS t" if tags else ""
        columns += "".join(f", NULL AS s{i}" for i in range(1, 5)) if sort is not None else ""
        return f"SELECT NULL AS k{columns} WHERE 1 = 0", []
    sql = " UNION ALL ".join(branches)
    if ordered and postgres:
        # Sorted union: the planner then merges the sorted branches and groups while streaming (no hash table).
        sql += " ORDER BY 1"
    return sql, params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class EntryNames(NamedTuple):
    """The part of an entry a phone shows (`_load(names_only=True)`)."""

    pk: int
    first_name: str
    last_name: str
    number: str


class UserNames(NamedTuple):
    """The part of a user a phone shows."""

    pk: int
    username: str
    first_name: str
    last_name: str


def _names(model, fields: tuple[str, ...], make, ids: list[int]) -> dict:
    """id -> make(id, *fields) of these rows, in plain SQL (the ORM spent ~20 ms building `pk IN` of 2,000 ids)."""
    if not ids:
        return {}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in ("id", *fields))
    marks = ", ".join(["%s"] * len(ids))
    return {
        row[0]: make(*row)
        for row in _fetch(f"SELECT {columns} FROM {qn(model._meta.db_table)} WHERE id IN ({marks})", ids)
    }


def _load(pairs: list[tuple[str, str]], names_only: bool = False, with_phonebook: bool = False) -> list[MergedRow]:
    """MergedRows for (key, tag) pairs, in their order: one query for entries, two for users. `names_only`: rows
    carry only names and numbers, as tuples (one query each, no model instances: a phone's 2,000-entry phonebook);
    `with_phonebook`: file entries with their phonebook (in the same query)."""
    entry_ids = [int(t[1:]) for _, t in pairs if t[0] in (PRIVATE, FILE)]
    user_ids = [int(t[1:]) for _, t in pairs if t[0] == USER]
    if names_only:
        entries = _names(PhonebookEntry, ("first_name", "last_name", "number"), EntryNames, entry_ids)
        users = _names(User, ("username", "first_name", "last_name"), UserNames, user_ids)
    else:
        entries = PhonebookEntry.objects.select_related("phonebook") if with_phonebook else PhonebookEntry.objects
        entries = entries.in_bulk(entry_ids) if entry_ids else {}
        users = (
            User.objects.select_related("profile").prefetch_related("login_names").in_bulk(user_ids) if user_ids else {}
        )
    rows = []
    for key, tag in pairs:
        ref = int(tag[1:])
        if tag[0] == USER:
            if ref in users:
                rows.append(MergedRow(key, USER, user=users[ref]))
        elif ref in entries:
            rows.append(MergedRow(key, tag[0], entry=entries[ref]))
    return rows


def _winners(scope: Scope, keys: list[str]) -> list[tuple[str, str]]:
    """(key, tag) of the row that represents each key (the smallest tag: private, then user, then file)."""
    if not keys:
        return []
    best: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        sql, params = _candidates(scope, keys=keys[start : start + 500])
        for key, tag in _fetch(sql, params):
            if key not in best or (tag[0], int(tag[1:])) < (best[key][0], int(best[key][1:])):
                best[key] = tag
    return [(key, best[key]) for key in keys if key in best]


def merged_count(user: User, filter_text: str | None = None, scope: Scope | None = None) -> int:
    """Distinct keys of the user's view. Without a filter, the phonebooks' stored `key_count`s are used: the
    largest phonebook counts as stored, every other source only with the keys none of the earlier ones has
    (index probes), so a 100,000-entry phonebook is not read to count it."""
    scope = scope or scope_of(user)
    if filter_text or not scope.books:
        sql, params = _candidates(scope, filter_text=filter_text, tags=False, ordered=True)
        return _fetch(f"SELECT COUNT(*) FROM (SELECT c.k FROM ({sql}) c GROUP BY c.k) g", params)[0][0]
    T = tables()
    books = sorted(scope.books, key=lambda b: (-scope.key_counts[b], b))

    def absent(column: str, earlier: list[int]) -> str:
        marks = ", ".join(["%s"] * len(earlier))
        return f"NOT EXISTS (SELECT 1 FROM {T['entry']} x WHERE x.phonebook_id IN ({marks}) AND x.sort_key = {column})"

    parts, params = [], []
    for i, book in enumerate(books[1:], start=1):
        parts.append(
            f"(SELECT COUNT(DISTINCT e.sort_key) FROM {T['entry']} e WHERE e.phonebook_id = %s"
            f" AND {absent('e.sort_key', books[:i])})"
        )
        params += [book, *books[:i]]
    small_sql, small_params = _candidates(scope, tags=False, files=False)
    parts.append(f"(SELECT COUNT(DISTINCT s.k) FROM ({small_sql}) s WHERE {absent('s.k', books)})")
    params += [*small_params, *books]
    return scope.key_counts[books[0]] + _fetch("SELECT " + " + ".join(parts), params)[0][0]


def merged_page(user: User, start: int, end: int, filter_text: str | None = None) -> Page:
    """Rows [start, end) of the user's merged view (B.3.7), clamped to the filtered size; start <= end.
    The page's keys come from the key-only union (index-only scans), then only those rows are read."""
    scope = scope_of(user)
    filter_text = (filter_text or "").replace("\x00", "") or None
    size = merged_count(user, scope=scope)
    filtered = merged_count(user, filter_text, scope=scope) if filter_text else size
    start, end = min(start, filtered), min(end, filtered)
    if end <= start:
        return Page(size, filtered, start, end, [])
    sql, params = _candidates(scope, filter_text=filter_text, tags=False, ordered=True)
    keys = [
        k
        for (k,) in _fetch(
            f"SELECT c.k FROM ({sql}) c GROUP BY c.k ORDER BY c.k LIMIT %s OFFSET %s", [*params, end - start, start]
        )
    ]
    return Page(size, filtered, start, end, _load(_winners(scope, keys)))


def iter_merged(user: User, chunk: int = CHUNK, on_phone: bool = False) -> Iterator[MergedRow]:
    """The whole merged view of `user` in key order (B.3.5), `chunk` rows per query, never all in memory.
    `on_phone`: what the user's phones show (private entries only with "show on phone", see scope_of), each row
    with names and number only (`EntryNames`, `UserNames`)."""
    scope = scope_of(user, on_phone)
    after = None
    while True:
        sql, params = _candidates(scope, after=after, ordered=True)
        pairs = _fetch(f"SELECT c.k, MIN(c.t) FROM ({sql}) c GROUP BY c.k ORDER BY c.k LIMIT %s", [*params, chunk])
        yield from _load(pairs, names_only=on_phone)
        if len(pairs) < chunk:
            return
        after = pairs[-1][0]


def search_terms(query: str) -> list[str]:
    return [t[:100] for t in (query or "").replace("\x00", "").lower().split() if t][:10]


def search(user: User, query: str) -> list[MergedRow]:
    """Entries of the merged view with a word starting with each term of `query` (case-insensitive, B.3.8):
    first name, last name and number; for users the user name, first and last name and the aliases."""
    terms = search_terms(query)
    if not terms:
        return []
    sql, params = _candidates(scope_of(user), terms=terms)
    pairs = _fetch(f"SELECT c.k, MIN(c.t) FROM ({sql}) c GROUP BY c.k ORDER BY c.k", params)
    return _load(pairs)


# ---- the portal's "My phonebook": sorted for people, the contact search of every list -----------------------

# The orders of `Contacts`, each four SQL columns ({last}, {first}, {number}: the row's). Rows without a name come
# last in every order; names compare without case.
_NAMELESS = "CASE WHEN {last} = '' AND {first} = '' THEN 1 ELSE 0 END"
SORTS = {
    "name": (_NAMELESS, "LOWER({last})", "LOWER({first})", "{number}"),
    "first_name": (_NAMELESS, "LOWER({first})", "LOWER({last})", "{number}"),
    "number": ("0", "{number}", "LOWER({last})", "LOWER({first})"),
}
# What the search box reads of a user (of an entry: PhonebookEntryFilterSet.search_fields, as the admin's pages).
USER_SEARCH_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "login_names__name",
    "profile__company_name",
    "profile__email_address",
)


def _ids_sql(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


class Contacts:
    """A user's merged view (B.3.5: the same rows, the same de-duplication) as the portal page lists it, for a
    Paginator: `count()` and slices. Sorted by name (`order`: a key of SORTS; `descending`), narrowed by the search
    of every list page (sipxweb.pages.search: each word in a first or last name, number, company or e-mail; for a
    user also the user name and aliases). File entries come with their phonebook (`entry.phonebook`). A page costs
    the same queries for any number of rows: the scope, the count, the page's keys, then `_load`."""

    def __init__(self, user: User, query: str = "", order: str = "name", descending: bool = False):
        from apps.phonebooks.filtersets import PhonebookEntryFilterSet
        from sipxweb.pages import search, search_words

        self.scope = scope_of(user)
        self.user = user
        self.order, self.descending = order, descending
        self.matches = None
        if search_words(query):
            entries = search(PhonebookEntry.objects.all(), query, PhonebookEntryFilterSet.search_fields)
            users = search(User.objects.all(), query, USER_SEARCH_FIELDS)
            self.matches = (_ids_sql(entries), _ids_sql(users))
        self._count = None

    def count(self) -> int:
        if self._count is None:
            if self.matches is None:
                self._count = merged_count(self.user, scope=self.scope)
            else:
                sql, params = _candidates(self.scope, tags=False, matches=self.matches)
                self._count = _fetch(f"SELECT COUNT(*) FROM (SELECT c.k FROM ({sql}) c GROUP BY c.k) g", params)[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[MergedRow]:
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        sql, params = _candidates(self.scope, matches=self.matches, sort=self.order)
        way = " DESC" if self.descending else ""
        # Rows without a name stay last either way (s1); the key last, so that equal names keep one order.
        order = ", ".join(["c.s1", *(f"c.s{i}{way}" for i in range(2, 5)), f"c.k{way}"])
        limit = stop - start if stop is not None else 2**62  # SQLite takes no OFFSET without a LIMIT
        pairs = _fetch(
            f"SELECT c.k, MIN(c.t) FROM ({sql}) c GROUP BY c.k, c.s1, c.s2, c.s3, c.s4 ORDER BY {order}"
            " LIMIT %s OFFSET %s",
            [*params, limit, start],
        )
        return _load(pairs, with_phonebook=True)


def sees_key(user: User, key: str, exclude_entry: int | None = None) -> bool:
    """True when the user already sees an entry with this sort key (other than `exclude_entry`)."""
    sql, params = _candidates(scope_of(user), keys=[key])
    sql = f"SELECT 1 FROM ({sql}) c"
    if exclude_entry is not None:
        sql += " WHERE c.t <> %s"
        params.append(f"{PRIVATE}{exclude_entry}")
    return bool(_fetch(sql + " LIMIT 1", params))


# Parameters per query of seen_keys: each key is one of every branch of the view (SQLite allows 32,766 in all).
KEY_PARAMS = 10_000


def seen_keys(user: User, keys: Sequence[str]) -> set[str]:
    """The keys among `keys` of entries the user already sees (sees_key for many: the private import's duplicate
    check): after the scope's query, one query per KEY_PARAMS / (2 + consumed phonebooks) distinct keys."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    scope = scope_of(user)
    batch = max(1, KEY_PARAMS // (2 + len(scope.books)))
    seen: set[str] = set()
    for start in range(0, len(wanted), batch):
        sql, params = _candidates(scope, keys=wanted[start : start + batch], tags=False)
        seen.update(row[0] for row in _fetch(f"SELECT DISTINCT c.k FROM ({sql}) c", params))
    return seen


def own_entries(user: User):
    """The user's private entries (only theirs), in the order of a shared phonebook's export, read in chunks."""
    entries = PhonebookEntry.objects.filter(private_phonebook__user=user)
    return entries.order_by("last_name", "first_name", "number", "id").iterator(chunk_size=2000)


# ---- one shared phonebook: B.2.2 -----------------------------------------------------------------------


def iter_phonebook_chunks(phonebook: Phonebook, chunk: int = 5000) -> Iterator[list[tuple[str, str, str]]]:
    """Lists of (last, first, number) of the phonebook's members and file entries, sorted by last name, first
    name, number, without duplicates, read `chunk` rows at a time from a server-side cursor (B.2.2). Chunks of
    tuples, not objects: this is the path of a 100,000-entry CSV download."""
    T = tables()
    postgres = _postgres()
    collate = ' COLLATE "C"' if postgres else ""
    entries = f"SELECT e.last_name AS l, e.first_name AS f, e.number AS n FROM {T['entry']} e WHERE e.phonebook_id = %s"
    users = (
        f"SELECT u.last_name{collate}, u.first_name{collate}, u.username{collate} FROM {T['user']} u"
        f" WHERE u.id IN (SELECT mg.user_id FROM {T['ug']} mg JOIN {T['members']} pm"
        " ON pm.usergroup_id = mg.usergroup_id WHERE pm.phonebook_id = %s)"
    )
    if postgres:  # sorted branches: the entries come in order from the (phonebook, last, first, number) index
        sql = f"({entries} ORDER BY 1, 2, 3) UNION ALL ({users} ORDER BY 1, 2, 3) ORDER BY 1, 2, 3"
    else:
        sql = f"{entries} UNION ALL {users} ORDER BY 1, 2, 3"
    previous = None
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, [phonebook.pk, phonebook.pk])
        while rows := cursor.fetchmany(chunk):
            out = []
            for row in rows:
                if row != previous:
                    out.append(row)
                    previous = row
            yield out


def iter_phonebook_rows(phonebook: Phonebook) -> Iterator[tuple[str, str, str]]:
    """(first, last, number) one by one (see iter_phonebook_chunks)."""
    for rows in iter_phonebook_chunks(phonebook):
        for last, first, number in rows:
            yield first, last, number
