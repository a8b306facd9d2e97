"""The call controller's URIs are tested with the parties of the call-record tests."""

import pytest
from django.core.cache import cache

from apps.callcontrol import health
from tests.cdrs.conftest import users  # noqa: F401  (fixture)


@pytest.fixture
def agent_running(db, monkeypatch):
    """A call-control agent's heartbeat in the shared cache, as `manage.py run_callcontrol` writes it (health.py),
    kept fresh for the whole test as the agent's beats would keep it: the web side queues calls for the agent instead
    of failing them at once. The agent's rows are then written by the test through the agent's own store
    functions."""
    monkeypatch.setattr(health, "STALE", 3600)
    health.beat({"owner": "test-agent", "address": "127.0.0.1:5180", "proxy": "127.0.0.1:5060", "calls": 0})
    yield
    health.stopped("test-agent")


@pytest.fixture
def no_agent(db):
    """No call-control agent runs: no heartbeat (a real agent of an earlier test may have left a fresh one: the
    cache table is not emptied between tests)."""
    cache.delete(health.KEY)
