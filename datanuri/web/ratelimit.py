"""Token-bucket rate limiting, per key (an API token or a client address), in memory.

Each process keeps its own buckets; behind several workers put the limit in the proxy or move
the buckets to Redis. Memory is bounded: past `max_keys` buckets the least recently used one is
dropped (a full bucket is what a forgotten key would have refilled to anyway), so a flood of
new addresses never resets the buckets of the clients being limited.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_KEYS = 100_000


class RateLimiter:
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
