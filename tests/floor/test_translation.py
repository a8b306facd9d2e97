"""The German translation is complete and shipped compiled: makemessages, run on a copy of the project with the
committed catalogue (locale/de/LC_MESSAGES/django.po), finds no msgid without its msgstr and no fuzzy entry, and the
committed django.mo holds exactly what the .po says (compiled after the last change). Needs Debian's gettext
(xgettext, msgmerge, msgfmt)."""

import gettext
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path("locale/de/LC_MESSAGES")
# What makemessages must not read: the venv, the tests (their expectations are English on purpose), generated files.
SKIPPED = (".venv", ".git", "tests", "bench", "media", "node_modules", "staticfiles", "locale")

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="Debian's gettext is not installed")


def _entries(po: str) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr (or msgstr[n]) and whether fuzzy; the header left out."""
    out = []
    for block in re.split(r"\n\s*\n", po):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        entry, key = {"fuzzy": any(line.startswith("#,") and "fuzzy" in line for line in lines), "msgstr": []}, None
        for line in lines:
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if m:
                key = m.group(1)
                text = _unquote(m.group(2))
                if key.startswith("msgstr"):
                    entry["msgstr"].append(text)
                else:
                    entry[key] = text
            elif line.startswith('"') and key:
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
        if entry.get("msgid"):
            out.append(entry)
    return out


def _unquote(quoted: str) -> str:
    return json.loads(quoted)  # makemessages writes C escapes that read as JSON strings


def test_makemessages_finds_every_string_translated(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIPPED, "*.sqlite3", "__pycache__"), symlinks=True)
    (copy / CATALOGUE).mkdir(parents=True)
    committed = ROOT / CATALOGUE / "django.po"
    assert committed.exists(), "locale/de/LC_MESSAGES/django.po is missing"
    shutil.copy(committed, copy / CATALOGUE / "django.po")
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete", "--no-location"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    entries = _entries((copy / CATALOGUE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 100  # the pages' strings were found
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == [], f"{len(untranslated)} strings without German: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy translations: {fuzzy[:20]}"


def test_the_committed_mo_is_compiled_from_the_committed_po(tmp_path):
    po, mo = ROOT / CATALOGUE / "django.po", ROOT / CATALOGUE / "django.mo"
    assert po.exists() and mo.exists(), "the German catalogue (django.po and django.mo) is missing"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True, capture_output=True)
    with fresh.open("rb") as a, mo.open("rb") as b:
        expected, shipped = gettext.GNUTranslations(a)._catalog, gettext.GNUTranslations(b)._catalog
    stale = sorted(str(k) for k in expected.keys() ^ shipped.keys())
    changed = sorted(str(k) for k in expected.keys() & shipped.keys() if expected[k] != shipped[k])
    assert stale == [] and changed == [], f"django.mo is stale: run compilemessages ({(stale + changed)[:10]})"
