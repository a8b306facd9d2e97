"""The call controller's URIs are tested with the parties of the call-record tests."""

from tests.cdrs.conftest import users  # noqa: F401  (fixture)
