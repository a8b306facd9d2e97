"""Stateful schemathesis run over the whole OpenAPI description (/api/schema/), in process through Django's WSGI
application, once as an administrator and once as an ordinary user, with real Basic credentials. Whatever
sequence of documented requests it builds (the description's links chain a created phonebook entry into
reading, changing and deleting it):

* no answer is a 5xx (D1);
* a request the description calls valid is not refused with 400 (`positive_data_acceptance`): the description
  names the XML root element and the JSON root key the parsers demand, and the serializers' limits;
* the Content-Type of each answer is one the description lists (`content_type_conformance`).

Bounded and reproducible: fixed examples and steps, derandomized."""

import base64

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, positive_data_acceptance

from sipxweb.wsgi import application

MAX_EXAMPLES = 40
STEPS = 8


def _auth(name, pin):
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{pin}".encode()).decode()}


@pytest.fixture
def keep_test_connection():
    """Django's own test client stops a request from closing the database connection (the test's transaction
    lives on it); the WSGI application that schemathesis calls needs the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("name", "pin"), [("superadmin", "admin1234"), ("alice", "1234")], ids=["admin", "user"])
def test_stateful_run(keep_test_connection, make_user, admin_user, name, pin):
    make_user("200", aliases=["alice"], first_name="Alice", sip_password="alicesip200")
    make_user("201", aliases=["bob"])
    auth = _auth(name, pin)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    # The sipXconfig URIs. The admin JSON API has its own run (tests/adminapi/test_schemathesis.py): its bodies are
    # whole PBX objects that the business rules refuse more often than the description can say (an alias held by
    # another user), so `positive_data_acceptance` does not apply to them.
    schema = schema.exclude(path_regex="^/api/v1/")
    machine = schema.as_state_machine()

    class Run(machine):
        # Each generated scenario starts from the same data (a savepoint rolled back at its end): hypothesis
        # replays scenarios and needs the server to answer them the same way.
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.savepoint_create()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=[not_a_server_error, positive_data_acceptance, content_type_conformance]
            )

    run_state_machine_as_test(
        Run,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
    )
