"""Login lockout counted atomically: each password check first takes a slot from the counters of
its e-mail and its client address, in one `INSERT ... ON CONFLICT DO UPDATE ... WHERE failures
< limit` per counter (SQLite and PostgreSQL both evaluate it under the row's write lock), so
parallel attempts can never get more password checks than the limit.

A slot is counted as a failure before the password is checked; a successful login gives its
slots back. A counter's window starts at its first failure and lasts `window`; after it, the
next attempt starts a new window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, literal, or_, update
from sqlalchemy.orm import Session

from datanuri.accounts.models import LoginCounter
from datanuri.store.db import UTCDateTime
from datanuri.store.upsert import upsert_insert


@dataclass(frozen=True)
class Counter:
    """One lockout counter: its key (e.g. "email:kim@example.org") and how many failures lock it."""

    key: str
    limit: int


def take(s: Session, counter: Counter, *, now: dt.datetime, window: dt.timedelta) -> bool:
    """Count one attempt on `counter` unless it is locked; True if the attempt may go ahead."""
    t = LoginCounter
    expired = t.window_start < (now - window)
    stmt = (
        upsert_insert(s.get_bind().dialect, t)
        .values(key=counter.key, failures=1, window_start=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": case((expired, 1), else_=t.failures + 1),
                "window_start": case((expired, literal(now, UTCDateTime())), else_=t.window_start),
            },
            where=or_(expired, t.failures < counter.limit),
        )
        .returning(t.failures)
    )
    return s.execute(stmt).first() is not None


def take_all(
    s: Session, counters: Sequence[Counter], *, now: dt.datetime, window: dt.timedelta
) -> bool:
    """Take a slot from every counter, or from none: on False the caller rolls back `s`."""
    return all(take(s, c, now=now, window=window) for c in counters)


def give_back(s: Session, counters: Sequence[Counter]) -> None:
    """Return the slots a successful login took."""
    t = LoginCounter
    s.execute(
        update(t)
        .where(t.key.in_([c.key for c in counters]), t.failures > 0)
        .values(failures=t.failures - 1)
    )
