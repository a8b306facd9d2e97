"""The bulk query helpers of the writers: how many rows one statement writes, how many values one IN (...) holds,
and an UPDATE by primary key with executemany. They keep a whole file of users (save_users, save_groups) at a fixed
number of queries per batch."""

from collections.abc import Iterable
from itertools import batched

from django.db import connection

BATCH = 500  # rows per bulk statement
CHUNK = 900  # values per IN (...): databases bound the parameters of one statement


def _fetch(queryset, lookup: str, values: Iterable) -> list:
    """queryset.filter(lookup=chunk) for each chunk of values, concatenated."""
    return [row for chunk in batched(list(values), CHUNK) for row in queryset.filter(**{lookup: chunk})]


def _update_rows(model, rows: list, fields: list[str]) -> None:
    """UPDATE each row's `fields` by primary key with one executemany per batch. Django's bulk_update builds
    a CASE expression per field whose cost grows with rows x fields (a minute for 2,000 users)."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in columns), qn(meta.pk.column)
    )
    with connection.cursor() as cursor:
        for chunk in batched(rows, BATCH):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk]
                    for row in chunk
                ],
            )
