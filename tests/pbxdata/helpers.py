"""Helpers for the PBX data file tests: documents built in code, imports and exports through the commands."""

import copy
import io
import json

from django.core.management import call_command

BASE = {"format": "sipxweb-pbx", "version": 1}


def doc(**sections) -> dict:
    return copy.deepcopy({**BASE, **sections})


def run_import(tmp_path, document, *args) -> str:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    out = io.StringIO()
    call_command("import_pbx", str(path), *args, stdout=out)
    return out.getvalue()


def export() -> dict:
    out = io.StringIO()
    call_command("export_pbx", stdout=out)
    return json.loads(out.getvalue())


def export_text() -> str:
    out = io.StringIO()
    call_command("export_pbx", stdout=out)
    return out.getvalue()
