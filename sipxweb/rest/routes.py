"""URL helpers for the sipXconfig routing rules (docs/compatibility.md B.1.1)."""

from django.urls import path


def my_paths(rest: str, view, name: str) -> list:
    """`/my/<rest>` and its automatic alias `/private/<key>/<rest>` (the key authenticates its owner)."""
    return [
        path(f"my/{rest}", view, name=name),
        path(f"private/<str:key>/{rest}", view, name=f"private-{name}"),
    ]
