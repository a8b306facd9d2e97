"""The whole-PBX JSON document (docs/pbx-data.md): validation, import and export.

`SECTIONS` is the one list of the document's top-level sections, in dependency order (a section may refer
to the ones before it: users name groups). Each entry names the functions of its module:

* `validate(value, path) -> cleaned` raises `PbxDataError` at the first offending path;
* `clear()` empties its tables (import --replace; called in reverse order);
* `load(cleaned, ctx)` creates or updates its rows and may leave lookups on `ctx` for later sections;
* `dump() -> value` for export, None to leave the section out.

A new feature adds one line here."""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from apps.pbxdata.schema import PbxDataError, check_keys, constant, parse_json
from apps.pbxdata.sections import (
    attendants,
    calls,
    conferences,
    dialplan,
    domain,
    groups,
    phonebooks,
    phones,
    provisioning,
    settings,
    users,
    voicemail,
)
from sipxweb import mediafiles

FORMAT = "sipxweb-pbx"
VERSION = 1


class Section(NamedTuple):
    key: str
    validate: Any
    clear: Any
    load: Any
    dump: Any


SECTIONS = [
    Section("domain", domain.validate, domain.clear, domain.load, domain.dump),
    Section("settings", settings.validate, settings.clear, settings.load, settings.dump),
    Section("groups", groups.validate, groups.clear, groups.load, groups.dump),
    Section("users", users.validate, users.clear, users.load, users.dump),
    Section("phonebooks", phonebooks.validate, phonebooks.clear, phonebooks.load, phonebooks.dump),
    Section("phones", phones.validate, phones.clear, phones.load, phones.dump),
    Section("provisioning", provisioning.validate, provisioning.clear, provisioning.load, provisioning.dump),
    Section("autoAttendants", attendants.validate, attendants.clear, attendants.load, attendants.dump),
    Section(
        "specialMode",
        attendants.validate_special,
        attendants.clear_special,
        attendants.load_special,
        attendants.dump_special,
    ),
    Section("dialPlan", dialplan.validate, dialplan.clear, dialplan.load, dialplan.dump),
    Section("conferences", conferences.validate, conferences.clear, conferences.load, conferences.dump),
    Section("voicemail", voicemail.validate, voicemail.clear, voicemail.load, voicemail.dump),
    Section("calls", calls.validate, calls.clear, calls.load, calls.dump),
]

HEADER = {"format": constant(FORMAT), "version": constant(VERSION)}


class Progress:
    """A hand-written progress bar for a terminal; silent when `stream` is None. Redraws at most 10 times
    a second so that stepping once per row costs nothing."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.label, self.total, self.done, self.drawn_at = "", 0, 0, 0.0

    def stage(self, label: str, total: int) -> None:
        self.finish()
        self.label, self.total, self.done, self.drawn_at = label, total, 0, 0.0
        self.draw()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.stream is not None and (time.monotonic() - self.drawn_at > 0.1 or self.done >= self.total):
            self.draw()

    def draw(self) -> None:
        if self.stream is None or not self.total:
            return
        filled = self.WIDTH * min(self.done, self.total) // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label:<14} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
        self.drawn_at = time.monotonic()

    def finish(self) -> None:
        if self.stream is not None and self.total:
            self.done = self.total
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
        self.total = 0


@dataclass
class ImportContext:
    """What one import shares between sections: the mode, the progress bar and lookups by natural key."""

    replace: bool = False
    progress: Progress = field(default_factory=lambda: Progress(None))
    groups: dict | None = None  # name -> UserGroup, once the groups are loaded
    users: dict = field(default_factory=dict)  # user name -> User
    counts: dict = field(default_factory=dict)  # section -> number of items imported
    base_dir: Path | None = None  # the JSON file's folder: voicemail audio paths are relative to it

    def stage(self, label: str, total: int) -> None:
        self.progress.stage(label, total)

    def step(self, n: int = 1) -> None:
        self.progress.step(n)


def validate_document(doc: Any) -> dict:
    """Checks the whole document and returns it cleaned (defaults filled in); raises PbxDataError."""
    check_keys(doc, "", [*HEADER, *(s.key for s in SECTIONS)])
    cleaned = {}
    for key, check in HEADER.items():
        if key not in doc:
            raise PbxDataError(key, "is required")
        cleaned[key] = check(doc[key], key)
    for section in SECTIONS:
        if section.key in doc:
            cleaned[section.key] = section.validate(doc[section.key], section.key)
    return cleaned


def import_document(
    doc: Any, replace: bool = False, progress: Progress | None = None, base_dir: Path | None = None
) -> ImportContext:
    """Validates `doc` and loads it in one transaction: all of it, or nothing (PbxDataError)."""
    cleaned = validate_document(doc)
    ctx = ImportContext(replace=replace, progress=progress or Progress(None), base_dir=base_dir)
    with mediafiles.atomic():  # rows and media files: all of it, or nothing
        if replace:
            for section in reversed(SECTIONS):
                section.clear()
        for section in SECTIONS:
            if section.key in cleaned:
                section.load(cleaned[section.key], ctx)
                ctx.counts[section.key] = len(cleaned[section.key]) if isinstance(cleaned[section.key], list) else 1
        conferences.check_extensions(cleaned)  # users and conferences share the dial plan
        dialplan.check_clashes(cleaned)  # and so do the dial plan's service numbers
    ctx.progress.finish()
    return ctx


def import_text(
    text: str | bytes, replace: bool = False, progress: Progress | None = None, base_dir: Path | None = None
) -> ImportContext:
    return import_document(parse_json(text), replace=replace, progress=progress, base_dir=base_dir)


def export_document() -> dict:
    """The whole PBX as a document; deterministic key and list order."""
    doc: dict = {"format": FORMAT, "version": VERSION}
    for section in SECTIONS:
        value = section.dump()
        if value is not None:
            doc[section.key] = value
    return doc


def terminal(stream) -> TextIO | None:
    """`stream` when it is a terminal (the progress bar is for people, not for logs or pipes)."""
    try:
        return stream if stream.isatty() else None
    except (AttributeError, ValueError):
        return None
