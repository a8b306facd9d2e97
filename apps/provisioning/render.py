"""Writing a provisioning file from its template (`templates/provisioning/<family>/<template>`, Jinja2).

Every value a template writes (`{{ ... }}`) is escaped here, by the syntax of the file (families.py), through
Jinja2's `finalize` hook: a template cannot forget it. The text of the template itself is written as it is.

* XML: the value on one line (below), then `sipxweb.xmltext.attribute` (`&`, `<`, `>`, `"`): right in element text
  and in double-quoted attributes alike.
* key-value lines: one line. A line end in a value would start a line of the attacker's choosing (a display name
  `x\\naccount.1.sip_server.1.address = evil.example`), so control characters become spaces.
* quoted CSV: one line, and `"` becomes `'` (the phones' parser has no escape for a quote inside quotes).

"One line" replaces every control character (C0, DEL, C1) and the Unicode line and paragraph separators with a
space; XML 1.0 cannot carry most of them anyway. Jinja2 rather than Django's templates: a 2,000-entry phonebook
renders in a fraction of the time, and `finalize` escapes every value whatever the template does."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from apps.provisioning.families import KEY_VALUE, QUOTED_CSV, XML
from sipxweb import xmltext

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "provisioning"

# One translation table each (str.translate, one pass in C: a phonebook writes thousands of values).
ONE_LINE = {code: " " for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)}
_XML = {**xmltext.ATTRIBUTE, **ONE_LINE}  # sipxweb/xmltext.py's attribute escaping, on one line
_QUOTED_CSV = {**ONE_LINE, ord('"'): "'"}


def _escaper(table: dict[int, str]):
    """str.translate with `table`, after a regex search for any character it maps: most values (names, numbers)
    need nothing, and the search costs a tenth of a translate through a dict (~0.3 µs against 2-5 µs a value: a
    2,000-entry phonebook writes 4,000 of them)."""
    search = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(table)) + "]").search

    def escape(value: str) -> str:
        return value.translate(table) if search(value) else value

    return escape


one_line = _escaper(ONE_LINE)
_xml = _escaper(_XML)
_quoted_csv = _escaper(_QUOTED_CSV)

ESCAPES = {XML: _xml, KEY_VALUE: one_line, QUOTED_CSV: _quoted_csv}


def _finalize(escape):
    def finalize(value):
        if type(value) is str:  # the common case first: this runs for every value written
            return escape(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        return escape(str(value))

    return finalize


@cache
def environment(syntax: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # `finalize` escapes every value by the file's syntax instead of by HTML's rules
        finalize=_finalize(ESCAPES[syntax]),
        undefined=StrictUndefined,  # a misspelt name in a template fails its test instead of writing nothing
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render(family: str, template: str, syntax: str, context: dict) -> bytes:
    return environment(syntax).get_template(f"{family}/{template}").render(context).encode("utf-8")


@cache
def templates_fingerprint() -> str:
    """The templates' contents, hashed once per process: part of every file's version, so a changed template
    (an upgrade) is never answered with the ETag of the old one."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(TEMPLATES).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
