"""Rate-limit token buckets in the database, shared by every process that uses it.

One bucket per key (an API token or a client address): the tokens it held at `stamp` (seconds
since the epoch, the clock of the process that last took from it). Taking one token is one
`INSERT ... ON CONFLICT DO UPDATE ... RETURNING` that refills the bucket for the time passed,
takes a token if there is a whole one and says whether it did. SQLite and PostgreSQL both run it
under the row's write lock, so processes taking from the same bucket at once are counted one
after another and together get no more than the bucket holds.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Double, String, case, delete
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base
from datanuri.store.upsert import upsert_insert


class RateBucket(Base):
    """One client's or token's bucket: `tokens` left at time `stamp`; `allowed` is whether the
    last request was let through (read back by the statement that took it)."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(440), primary_key=True)  # "addr:..." | "token:..."
    tokens: Mapped[float] = mapped_column(Double)
    stamp: Mapped[float] = mapped_column(Double)
    allowed: Mapped[bool] = mapped_column(Boolean)


def take(
    conn: Connection, key: str, *, now: float, rate: float, capacity: float
) -> tuple[bool, float]:
    """Take one token from `key`'s bucket (refilled at `rate` per second up to `capacity`).

    Returns whether a token was taken and the tokens the bucket holds now (when none was, the
    caller waits `(1 - held) / rate` seconds)."""
    t = RateBucket
    elapsed = case((t.stamp < now, now - t.stamp), else_=0.0)
    filled = t.tokens + elapsed * rate
    level = case((filled > capacity, capacity), else_=filled)
    stmt = (
        upsert_insert(conn.dialect, t)
        .values(key=key, tokens=capacity - 1.0, stamp=now, allowed=True)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "tokens": case((level >= 1.0, level - 1.0), else_=level),
                "allowed": level >= 1.0,
                "stamp": case((t.stamp < now, now), else_=t.stamp),
            },
        )
        .returning(t.tokens, t.allowed)
    )
    tokens, allowed = conn.execute(stmt).one()
    return bool(allowed), float(tokens)


def prune(conn: Connection, *, now: float, rate: float, capacity: float) -> int:
    """Drop buckets untouched long enough to be full again (the same as having none)."""
    idle = capacity / rate if rate > 0 else float("inf")
    if idle == float("inf"):
        return 0
    gone = conn.execute(delete(RateBucket).where(RateBucket.stamp < now - idle))
    return int(gone.rowcount or 0)
