"""Property-based run of schemathesis over the OpenAPI description served at /api/schema/ (drf-spectacular),
against the real stack (gunicorn, see tests/server/live.py) with a real user's Basic credentials: whatever
a client sends within the documented shapes, no operation may answer 5xx (D1).

The operations are walked here rather than through `schemathesis.pytest.from_fixture`, whose lazy loader
reads `Function._nodeid`, which pytest 9 no longer has."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.server.live import LiveServer, basic_header

pytestmark = pytest.mark.server

AUTH = {"Authorization": basic_header("alice", "1234")}
MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def live():
    srv = LiveServer(secret_key="schema-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    srv.start()
    yield srv
    srv.stop()


def test_no_operation_answers_5xx(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/api/schema/?format=json", headers=AUTH)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5, "the schema lists almost nothing; is /api/schema/ complete?"
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(base_url=live.url, headers=AUTH, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not only the first
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    log = live.output()
    served = sum(log.count(f'"{method} /sipxconfig/rest/') for method in ("GET", "PUT", "POST", "DELETE"))
    assert served >= 5 * len(operations), f"only {served} requests reached the server"
    assert " 500 " not in log and "Traceback" not in log
