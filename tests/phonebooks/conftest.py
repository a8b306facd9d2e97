"""Fixtures of the phonebook tests: the demo PBX's users, groups and phonebooks (docs/pbx-data.md), loaded from the
project's own demo file through the PBX data import, and REST helpers."""

import json
from pathlib import Path

import pytest

from apps.pbxdata.document import import_document
from tests.conftest import REST, basic

DEMO = Path(__file__).resolve().parents[2] / "apps" / "pbxdata" / "demo" / "demo-pbx.json"
FILES = Path(__file__).parent / "files"
KEEP = ("format", "version", "domain", "settings", "groups", "users", "phonebooks")


@pytest.fixture
def demo(db):
    doc = json.loads(DEMO.read_text())
    import_document({k: v for k, v in doc.items() if k in KEEP})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rest(client, method, path, user="alice", pin="1234", data=None, content_type="text/xml", **headers):
    call = getattr(client, method.lower())
    kwargs = {**basic(user, pin), **headers}
    if data is not None:
        return call(REST + path, data=data, content_type=content_type, **kwargs)
    return call(REST + path, **kwargs)
