"""Fixtures for the PBX data file tests."""

import pytest

from tests.pbxdata.helpers import run_import


@pytest.fixture
def import_file(tmp_path, db):
    """import_file(document, "--replace") -> the command's output; raises CommandError on a bad file."""
    return lambda document, *args: run_import(tmp_path, document, *args)
