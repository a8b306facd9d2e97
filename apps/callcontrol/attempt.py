"""The typed record of one claimed call attempt: what the agent needs to place it, read once from the
database (`store.claim`) so the event loop never touches a model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    key: str  # "agent:calling:called": a newer attempt with the same key replaces a running one
    agent: str  # the user name the agent calls as (From, Digest user name)
    display_name: str
    password: str | None  # the agent user's SIP password, answers one 401/407 challenge
    calling_uri: str
    called_uri: str
    forwarding_allowed: bool
    subject: str
    timeout: int  # seconds before the calling party's INVITE is cancelled
    sip_method: str  # "refer" (3PCC, the agent leaves) or "invite" (the agent stays as a B2BUA)

    @classmethod
    def from_row(cls, row: Attempt | Mapping) -> Attempt:
        """From the plain row `store.claim` returns (a record passes through as it is)."""
        if isinstance(row, cls):
            return row
        return cls(**{f.name: row[f.name] for f in fields(cls)})
