"""The OpenAPI description of the admin JSON API (/api/v1/), drawn from the definitions that serve it.

* resource.py: `ResourceSchema`, the description of every Resource viewset (apps/adminapi/resource.py), from the
  resource itself; per_resource.py the few facts it cannot derive (example values, links to another resource's
  create), examples.py the examples it shows.
* tokens.py, audit.py: /api/v1/tokens and /api/v1/audit, views of their own, through drf-spectacular's view
  extensions; security.py: `Authorization: Bearer <token>` as a security scheme.
* operations.py: what every hand-built operation shares (`V1Schema`, `component`); error_bodies.py the error
  body; lists.py the page envelope and the list parameters; dialect.py the checkers' JSON Schema in OpenAPI 3.0's
  dialect (`oas30`, also used by the views that describe themselves with extend_schema).
* hooks.py: the post-processing hook over every /api/v1/ operation, which SPECTACULAR_SETTINGS names here.

drf-spectacular registers an extension when its class is defined, so this package imports the modules that hold
them: importing any part of the package (the URLs do) registers them all."""

from apps.adminapi.openapi import audit, security, tokens  # noqa: F401  (extensions register on import)
from apps.adminapi.openapi.hooks import add_v1_error_responses

__all__ = ["add_v1_error_responses"]
