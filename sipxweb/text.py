"""The one check of text that is about to be stored: what the database cannot keep, on either engine.

PostgreSQL refuses NUL in text columns (SQLite keeps it), and neither driver can encode a lone surrogate
(`"\\ud800"` in a JSON body decodes to one). Every boundary that stores client text and has no such check of
its own calls `text_problem()` (POST /cse, the PBX data file), so a value is refused the same way, with the
same sentence, on SQLite and on PostgreSQL, before anything is written. DRF's and Django's form CharFields
already refuse NUL themselves (ProhibitNullCharactersValidator)."""

import re
import sys

from django.utils.translation import gettext


def _escaped(characters) -> str:
    """Characters as `\\uXXXX` escapes: a regular-expression class body that Python's `re` and ECMA-262 (the
    dialect of an OpenAPI `pattern`) read alike."""
    return "".join(f"\\u{ord(c):04X}" for c in characters)


# What cannot be stored: NUL and the lone UTF-16 surrogates. One definition for the check below and for the
# `pattern` the OpenAPI description puts on text fields (sipxweb.rest.schema).
NUL_CLASS = "\\u0000"
SURROGATE_CLASS = "\\uD800-\\uDFFF"
UNSTORABLE_CLASS = NUL_CLASS + SURROGATE_CLASS
# What an XML 1.0 body cannot carry at all, not even as a character reference (its `Char` production): the
# other C0 controls but tab, LF and CR, and U+FFFE/U+FFFF. A JSON body may carry them; the description states
# the text every media type of a request body carries, so a value it calls valid is stored from XML and JSON.
XML_UNSAYABLE_CLASS = "\\u0001-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF"
# The surrogates stay out of the description's pattern: the regular-expression engines of schema validators
# in Rust and Go (UTF-8 strings) refuse a class naming them and drop or reject the whole pattern; no UTF-8
# text contains one, and the check below still refuses one decoded from a JSON `\\ud800` escape.
STORABLE_TEXT_PATTERN = f"^[^{NUL_CLASS}{XML_UNSAYABLE_CLASS}]*$"
_UNSTORABLE = re.compile(f"[{UNSTORABLE_CLASS}]")
_SURROGATE = re.compile(f"[{SURROGATE_CLASS}]")

# What a text field's trimming removes: exactly the characters Python's `str.strip()` strips (DRF's CharField
# trims with it), which include NEL (U+0085) and U+001C-U+001F that ECMA's `\\s` does not. A value made only of
# these is blank; NOT_BLANK_PATTERN says so in the description, derived from the same set.
BLANK_CHARACTERS = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
NOT_BLANK_PATTERN = f"[^{_escaped(BLANK_CHARACTERS)}{NUL_CLASS}{XML_UNSAYABLE_CLASS}]"


# sipXconfig's form of an e-mail address (its phonebook entry check): the phonebook serializer and form check
# it, and the OpenAPI description states it as the field's `pattern` (sipxweb.rest.schema), from this one object.
EMAIL = re.compile(r"^([a-zA-Z0-9_.\-+])+@(([a-zA-Z0-9\-])+\.)+[a-zA-Z0-9]{2,4}$")


def is_blank(value: str | None) -> bool:
    """True for None, "" and text of BLANK_CHARACTERS only."""
    return not (value or "").strip(BLANK_CHARACTERS)


def text_problem(value: str) -> str | None:
    """Why `value` cannot be stored, as the end of a sentence ("... contains a NUL character"); None if it can."""
    if _UNSTORABLE.search(value) is None:
        return None
    if "\x00" in value:
        return "contains a NUL character, which cannot be stored"
    if _SURROGATE.search(value):
        return "contains a lone UTF-16 surrogate, which is not a Unicode character"
    return None


def text_problem_sentence(value: str, subject: str) -> str | None:
    """Why `value` cannot be stored, as one whole sentence about `subject` (already in the page's language: "The
    user name", or a wire name), in the active language: the pages show it in German, the APIs (English active)
    the English of `f"{subject} {text_problem(value)}."`. None if it can be stored."""
    if _UNSTORABLE.search(value) is None:
        return None
    if "\x00" in value:
        return gettext("%(subject)s contains a NUL character, which cannot be stored.") % {"subject": subject}
    if _SURROGATE.search(value):
        return gettext("%(subject)s contains a lone UTF-16 surrogate, which is not a Unicode character.") % {
            "subject": subject
        }
    return None
