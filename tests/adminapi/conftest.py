"""The admin JSON API as its clients use it: JSON over HTTP (Django's test client) with a real Bearer token made
by the token service, or Basic with a PIN. `api.get("/users")`, `api.post("/users", {...})`, `api.patch(...)`;
`api.as_token(read_token)` for another credential; every answer has `.json()`."""

import json

import pytest

from apps.users import tokens
from tests.conftest import REST, basic

V1 = "/api/v1"


class Api:
    def __init__(self, client, headers: dict):
        self.client, self.headers = client, headers

    def call(self, method: str, path: str, body=None, headers: dict | None = None, **extra):
        if path.startswith("http"):  # a `next` link: absolute
            path = "/" + path.split("/", 3)[3]
        url = path if path.startswith(("/api/", REST)) else V1 + path
        kwargs = {**self.headers, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}}
        if body is not None and not isinstance(body, dict | list) and "content_type" not in extra:
            extra["content_type"] = "application/octet-stream"
        elif body is not None and "content_type" not in extra:
            body, extra["content_type"] = json.dumps(body), "application/json"
        return (
            getattr(self.client, method.lower())(url, body, **extra, **kwargs)
            if body is not None
            else getattr(self.client, method.lower())(url, **extra, **kwargs)
        )

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def as_token(self, secret: str) -> "Api":
        return Api(self.client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"})

    def as_pin(self, name: str, pin: str) -> "Api":
        return Api(self.client, basic(name, pin))

    def anonymous(self) -> "Api":
        return Api(self.client, {})


@pytest.fixture
def admin_token(admin_user) -> str:
    return tokens.create_token(admin_user, "tests", "write")[1]


@pytest.fixture
def read_token(admin_user) -> str:
    return tokens.create_token(admin_user, "reader", "read")[1]


@pytest.fixture
def api(client, admin_token) -> Api:
    """An integration with an administrator's read-write token."""
    return Api(client, {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"})
