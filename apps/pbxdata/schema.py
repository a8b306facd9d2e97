"""A small, strict validator for the PBX data file (docs/pbx-data.md).

Each checker is a function `(value, path) -> cleaned value` that raises `PbxDataError` naming the path of
the first offending value, e.g. `users[3].callForwarding.rings[0].type`. Objects reject unknown keys (a
typo must never be dropped silently) and fill absent keys with their defaults, so the loaders read a
complete dict. Values are never coerced: `"20"` is not an integer and `1` is not `true`."""

import difflib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from sipxweb.text import text_problem

Checker = Callable[[Any, str], Any]

# Each checker carries the JSON Schema of what it accepts (`json_schema`), so that the admin JSON API describes its
# bodies from the same definitions that check them (apps/adminapi/openapi/); a checker without one accepts any.


def described(check: Checker, schema: dict) -> Checker:
    check.json_schema = schema
    return check


def json_schema(check: Checker) -> dict:
    """The JSON Schema of what `check` accepts ({} when it does not say)."""
    return dict(getattr(check, "json_schema", {}))


def nullable_schema(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


REQUIRED = object()  # marker default: the key must be present


class PbxDataError(Exception):
    """A problem with the data file: `path` is where (empty for the whole document), `message` what."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class JsonObject(dict):
    """A parsed JSON object that remembers keys given twice (json keeps the last one silently)."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs):
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return obj


def parse_json(text: str | bytes) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_object_pairs)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise PbxDataError("", f"not a valid JSON document: {exc}") from None


def show(value: Any) -> str:
    """A value as JSON, short enough for an error message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def text(max_length: int = 255, nullable: bool = False, blank: bool = True, pattern: str | None = None) -> Checker:
    regex = re.compile(pattern) if pattern else None

    def check(value, path):
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise PbxDataError(path, f"expected a string{' or null' if nullable else ''}, not {type_name(value)}")
        if not blank and not value.strip():
            raise PbxDataError(path, "may not be empty")
        problem = text_problem(value)
        if problem:
            raise PbxDataError(path, problem)
        if len(value) > max_length:
            raise PbxDataError(path, f"is longer than {max_length} characters")
        if regex and not regex.fullmatch(value):
            raise PbxDataError(path, f"{show(value)} is not of the form {pattern}")
        return value

    schema: dict = {"type": "string", "maxLength": max_length}
    if pattern:
        schema["pattern"] = f"^(?:{pattern})$"
    if not blank:
        schema["minLength"] = 1
    return described(check, nullable_schema(schema) if nullable else schema)


def integer(lo: int, hi: int) -> Checker:
    def check(value, path):
        if isinstance(value, bool) or not isinstance(value, int):
            raise PbxDataError(path, f"expected a whole number, not {type_name(value)} {show(value)}")
        if not lo <= value <= hi:
            raise PbxDataError(path, f"{value} is not between {lo} and {hi}")
        return value

    return described(check, {"type": "integer", "minimum": lo, "maximum": hi})


def boolean(value, path):
    if not isinstance(value, bool):
        raise PbxDataError(path, f"expected true or false, not {type_name(value)} {show(value)}")
    return value


described(boolean, {"type": "boolean"})


def choice(values: Iterable[str], nullable: bool = False) -> Checker:
    values = tuple(values)

    def check(value, path):
        if value is None and nullable:
            return None
        if value not in values:
            raise PbxDataError(path, f"{show(value)} is not one of {', '.join(show(v) for v in values)}")
        return value

    return described(check, {"enum": [*values, None] if nullable else list(values)})


def constant(expected: Any) -> Checker:
    def check(value, path):
        if value != expected or type(value) is not type(expected):
            raise PbxDataError(path, f"expected {show(expected)}, not {show(value)}")
        return value

    return described(check, {"const": expected})


def list_of(item: Checker, unique: Callable[[Any], Any] | None = None, what: str = "value") -> Checker:
    """A JSON array whose items pass `item`; with `unique`, items whose unique(item) repeats are an error."""

    def check(value, path):
        if not isinstance(value, list):
            raise PbxDataError(path, f"expected a list, not {type_name(value)}")
        out, seen = [], set()
        for i, raw in enumerate(value):
            cleaned = item(raw, f"{path}[{i}]")
            if unique is not None:
                key = unique(cleaned)
                if key in seen:
                    shown = cleaned if isinstance(cleaned, str) else key
                    raise PbxDataError(f"{path}[{i}]", f"{what} {show(shown)} is listed twice")
                seen.add(key)
            out.append(cleaned)
        return out

    check.item = item  # complete() walks into the items
    return described(check, {"type": "array", "items": json_schema(item)})


def check_keys(value: Any, path: str, known: Iterable[str]) -> None:
    """Raises for a non-object, a key given twice, or an unknown key (suggesting the closest known one)."""
    if not isinstance(value, dict):
        raise PbxDataError(path, f"expected an object, not {type_name(value)}")
    for key in getattr(value, "duplicates", ()):
        raise PbxDataError(join(path, key), "this key is given twice in the same object")
    known = list(known)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f"; expected some of: {', '.join(known)}"
            raise PbxDataError(join(path, key), f"unknown key{hint}")


def obj(fields: dict[str, tuple[Checker, Any]]) -> Checker:
    """An object with the given keys: `{key: (checker, default)}`; default REQUIRED makes the key required.
    The result has every key, absent ones set to their default."""

    def check(value, path):
        check_keys(value, path, fields)
        out = {}
        for key, (checker, default) in fields.items():
            if key in value:
                out[key] = checker(value[key], join(path, key))
            elif default is REQUIRED:
                raise PbxDataError(join(path, key), "is required")
            else:
                out[key] = default() if callable(default) else default
        return out

    required = [key for key, (_, default) in fields.items() if default is REQUIRED]
    schema = {
        "type": "object",
        "properties": {key: json_schema(checker) for key, (checker, _) in fields.items()},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    check.fields = fields  # the admin JSON API reads the keys and their defaults
    return described(check, schema)


def complete(check: Checker, value: Any) -> Any:
    """`value` (as an export writes it: keys at their default left out) with every key of every object present,
    absent ones at their defaults; an absent object is an object of defaults. Nothing is checked (the value was
    stored by the rules): the admin JSON API shows whole objects."""
    fill = _filler(check)
    return value if fill is None else fill(value)


# checker -> the function that completes its values (None: a value it takes is complete as it is). The admin JSON
# API completes every object of a page (a user has some fifty keys at every depth): the walk through the checkers'
# `fields` and `item` is done once per checker, not once per value.
_FILLERS: dict = {}


def _filler(check: Checker) -> Callable[[Any], Any] | None:
    try:
        return _FILLERS[check]
    except KeyError:
        pass
    except TypeError:  # an unhashable checker: walked each time
        return _make_filler(check)
    fill = _FILLERS[check] = _make_filler(check)
    return fill


def _make_filler(check: Checker) -> Callable[[Any], Any] | None:
    fields = getattr(check, "fields", None)
    if fields is not None:
        plan = [(key, _filler(sub), default) for key, (sub, default) in fields.items()]

        def fill_object(value):
            given = value if isinstance(value, dict) else {}
            out = {}
            for key, fill, default in plan:
                if key in given:
                    found = given[key]
                elif callable(default):
                    found = default()
                else:
                    found = None if default is REQUIRED else default
                out[key] = found if fill is None else fill(found)
            return out

        return fill_object
    item = getattr(check, "item", None)
    if item is not None:
        fill_item = _filler(item)

        def fill_list(value):
            if not isinstance(value, list):
                return value
            return list(value) if fill_item is None else [fill_item(v) for v in value]

        return fill_list
    return None
