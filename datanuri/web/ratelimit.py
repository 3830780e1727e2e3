"""Token-bucket rate limiting, per key (an API token or a client address), in memory.

Each process keeps its own buckets; behind several workers put the limit in the proxy or move
the buckets to Redis.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int, *, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, per_minute // 6))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float | None:
        """Take one request from `key`'s bucket; None if allowed, else seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                if len(self._buckets) > 100_000:
                    self._buckets.clear()  # bounded memory under a flood of addresses
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
