"""Trust-relevant events, as frozen dataclasses, and the sink that records them.

Capabilities describe what happened as an `Event` and hand it to the platform's `EventSink`
inside the same database transaction as the action itself (trust rule 2: recorded before it
takes effect; a failure to record fails the action). The integrity ledger is the real sink.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """One thing that happened: who did what to which subject, and the content hashes involved."""

    type: str  # e.g. "dataset.version.published"
    actor: str  # user or system principal, e.g. "user:alice" or "system"
    subject: str  # e.g. "dataset:seoul-air-quality@3"
    time: dt.datetime
    hashes: Mapping[str, str] = field(default_factory=dict)  # e.g. {"parquet": "sha256:..."}
    data: Mapping[str, Any] = field(default_factory=dict)  # small extra facts, JSON-serialisable

    def to_json_obj(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "actor": self.actor,
            "subject": self.subject,
            "time": self.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "hashes": dict(self.hashes),
            "data": dict(self.data),
        }


class EventSink(Protocol):
    def record(self, session: Session, event: Event) -> int | None:
        """Record `event` inside `session`'s transaction; return its ledger index if any."""


class MemorySink:
    """Keeps events in a list; used where no ledger is wired (and by tests of capabilities)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def record(self, session: Session, event: Event) -> int | None:
        self.events.append(event)
        return len(self.events) - 1
