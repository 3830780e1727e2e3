"""Token-bucket rate limiting, per key (an API token or a client address).

`RateLimiter` keeps the buckets in memory, each process its own: the embedded single-process
server's default, with no database write per request. `SharedRateLimiter` keeps them in the
database (`store/ratebuckets.py`), so several API processes (`datanuri serve --workers N`, or
servers on several machines) share one bucket per client; `Config.shared_rate_limits` picks.
Memory is bounded: past `max_keys` buckets the least recently used one is
dropped (a full bucket is what a forgotten key would have refilled to anyway), so a flood of
new addresses never resets the buckets of the clients being limited.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol

from sqlalchemy.engine import Engine

from datanuri.store import ratebuckets

MAX_KEYS = 100_000
PRUNE_EVERY = 1_000  # hits of one process between removals of idle shared buckets


class Limiter(Protocol):
    """What the web layer asks of a rate limiter."""

    #: True when `hit` does I/O (the database): callers on the event loop run it in a thread.
    blocking: bool

    def hit(self, key: str) -> float | None:
        """Take one request from `key`'s bucket; None if allowed, else seconds to wait."""
        ...


class RateLimiter:
    """Buckets in this process's memory."""

    blocking = False

    def __init__(
        self, per_minute: int, *, burst: int | None = None, max_keys: int = MAX_KEYS
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, per_minute // 6))
        self.max_keys = max(1, max_keys)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Take one request from `key`'s bucket; None if allowed, else seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)  # the least recently seen key
            return None if allowed else (1.0 - tokens) / self.rate


class SharedRateLimiter:
    """Buckets in the database: every process using the same database shares them."""

    blocking = True

    def __init__(self, engine: Engine, per_minute: int, *, burst: int | None = None) -> None:
        self.engine = engine
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, per_minute // 6))
        self._hits = 0
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Take one request from `key`'s shared bucket; None if allowed, else seconds to wait."""
        now = time.time() if now is None else now  # wall clock: the processes share it
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a hit lost in a crash costs nothing: no fsync
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            allowed, tokens = ratebuckets.take(
                conn, key, now=now, rate=self.rate, capacity=self.capacity
            )
        with self._lock:
            self._hits += 1
            prune = self._hits % PRUNE_EVERY == 0
        if prune:
            with self.engine.begin() as conn:
                ratebuckets.prune(conn, now=now, rate=self.rate, capacity=self.capacity)
        return None if allowed else (1.0 - tokens) / self.rate
