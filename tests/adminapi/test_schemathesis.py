"""schemathesis over the admin JSON API's description (/api/schema/, the /api/v1/ paths only), in process through
Django's WSGI application with an administrator's real Bearer token:

* a stateful run: sequences of requests chained by the description's links (create -> read -> replace / change ->
  delete, list -> read, read -> change with the ETag in If-Match);
* a stateless run of every operation.

Each answer must not be a 5xx, must have a documented status, content type and headers, and a body that the
description's schema accepts; after a DELETE the object is gone, and an object just created can be read.
Bounded and reproducible: fixed numbers of examples and steps, derandomized, no example database."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from apps.users import services
from sipxweb.wsgi import application

pytestmark = pytest.mark.django_db

SCENARIOS = 40
STEPS = 8
EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]


def bounded(**extra):
    return hypothesis_settings(
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        **extra,
    )


def _text(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join(_text(sub) for sub in exc.exceptions)
    return str(exc)


@pytest.fixture
def keep_test_connection():
    """Django's test client keeps a request from closing the database connection (the test's transaction lives on
    it); the WSGI application that schemathesis calls needs the same."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def v1(keep_test_connection, settings, admin_token, make_user):
    """The /api/v1/ part of the description, loaded as a client loads it, with a few objects to list and read."""
    settings.API_THROTTLE_RATE = "0/min"  # thousands of requests in a minute; tests/adminapi/test_throttle.py
    sales = services.save_groups([services.GroupData("sales", "Sales team")])["sales"]
    make_user("200", aliases=["alice"], first_name="Alice").groups.add(sales)
    make_user("201", aliases=["bob"])
    auth = {"Authorization": f"Bearer {admin_token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers={**auth, "Accept": "application/json"})
    schema = schema.include(path_regex=r"^/api/v1/")
    # The description's own links only: links that schemathesis infers from names tie operations that touch files
    # (greetings, prompts) whose state a rolled-back savepoint does not restore, and hypothesis then sees the same
    # steps answered differently.
    schema.config.phases.stateful.inference.algorithms = []
    return schema, auth


def test_the_description_lists_every_v1_route_and_its_links(client, admin_token):
    from apps.adminapi.urls import router

    response = client.get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Bearer {admin_token}")
    assert response.status_code == 200
    description = json.loads(response.content)
    paths = {p for p in description["paths"] if p.startswith("/api/v1/")}
    for prefix, _viewset, _basename in router.registry:
        assert f"/api/v1/{prefix}" in paths or any(p.startswith(f"/api/v1/{prefix}/") for p in paths), prefix
    for path in paths:
        for method, operation in description["paths"][path].items():
            # every operation says what it is, and documents the error body
            assert operation.get("summary") or operation.get("description"), (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
    links = description["paths"]["/api/v1/users"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "v1_users_retrieve",
        "v1_users_update",
        "v1_users_partial_update",
        "v1_users_destroy",
    }
    assert "bearer" in description["components"]["securitySchemes"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content.lower()


def test_every_example_fits_its_schema(v1):
    """The examples in the description (what /api/docs/ shows) are bodies the description itself accepts."""
    import jsonschema

    schema, _auth = v1
    raw = schema.raw_schema
    components = raw["components"]["schemas"]

    def resolve(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(components[node["$ref"].rsplit("/", 1)[1]])
            out = {k: resolve(v) for k, v in node.items()}
            if out.pop("nullable", False):
                out = {"anyOf": [out, {"type": "null"}]}
            return out
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    checked = 0
    for path, operations in raw["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            contents = [operation.get("requestBody", {}).get("content", {})]
            contents += [response.get("content", {}) for response in operation["responses"].values()]
            for content in contents:
                media = content.get("application/json")
                if not media:
                    continue
                examples = [media["example"]] if "example" in media else []
                examples += [e["value"] for e in media.get("examples", {}).values()]
                for example in examples:
                    jsonschema.validate(example, resolve(media["schema"]))
                    checked += 1
    assert checked >= 20


def test_stateful_run_over_the_links(v1):
    schema, auth = v1
    machine = schema.as_state_machine()

    class Run(machine):
        # Each scenario starts from the same data (a savepoint rolled back at its end): hypothesis replays
        # scenarios and needs the server to answer them the same way.
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.savepoint_create()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": auth}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=STATEFUL_CHECKS)

    run_state_machine_as_test(
        Run,
        settings=bounded(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            phases=[Phase.explicit, Phase.generate],
        ),
    )


def test_every_operation_alone(v1):
    schema, auth = v1
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, [op.label for op in operations]
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @bounded(max_examples=EXAMPLES_PER_OPERATION)
        def run(case):
            savepoint = transaction.savepoint_create()
            try:
                case.call_and_validate(headers=auth, checks=CHECKS)
            finally:
                transaction.savepoint_rollback(savepoint)

        try:
            run()
        except (Exception, FailureGroup) as exc:  # every operation's failure, not only the first
            failures.append(f"{operation.label}: {type(exc).__name__}: {_text(exc)[:3000]}")
    assert not failures, "\n\n".join(failures)
