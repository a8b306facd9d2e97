"""The one check of text that is about to be stored: what the database cannot keep, on either engine.

PostgreSQL refuses NUL in text columns (SQLite keeps it), and neither driver can encode a lone surrogate
(`"\\ud800"` in a JSON body decodes to one). Every boundary that stores client text and has no such check of
its own calls `text_problem()` (POST /cse, the PBX data file), so a value is refused the same way, with the
same sentence, on SQLite and on PostgreSQL, before anything is written. DRF's and Django's form CharFields
already refuse NUL themselves (ProhibitNullCharactersValidator)."""

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored, as the end of a sentence ("... contains a NUL character"); None if it can."""
    if "\x00" in value:
        return "contains a NUL character, which cannot be stored"
    if _SURROGATE.search(value):
        return "contains a lone UTF-16 surrogate, which is not a Unicode character"
    return None
