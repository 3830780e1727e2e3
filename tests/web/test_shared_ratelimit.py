"""Rate-limit buckets in the database: shared by every process, counted atomically."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from datanuri.config import Config
from datanuri.store.db import Database
from datanuri.web.ratelimit import RateLimiter, SharedRateLimiter


def test_shared_bucket_refills_like_the_memory_one(db):
    shared = SharedRateLimiter(db.engine, 60, burst=2)
    memory = RateLimiter(60, burst=2)
    for lim in (shared, memory):
        assert lim.hit("k", now=1000.0) is None and lim.hit("k", now=1000.0) is None
        assert lim.hit("k", now=1000.0) == pytest.approx(1.0)
        assert lim.hit("k", now=1000.5) == pytest.approx(0.5)
        assert lim.hit("k", now=1001.01) is None
        assert lim.hit("other", now=1000.0) is None


def test_a_clock_behind_the_last_hit_refills_nothing(db):
    lim = SharedRateLimiter(db.engine, 60, burst=1)
    assert lim.hit("k", now=2000.0) is None
    assert lim.hit("k", now=1000.0) == pytest.approx(1.0)  # another process's clock, behind


def test_two_processes_share_one_bucket(db_url):
    """Two engines (as two processes have) draw from the same bucket."""
    a, b = Database(db_url), Database(db_url)
    a.migrate()
    try:
        la, lb = SharedRateLimiter(a.engine, 60, burst=3), SharedRateLimiter(b.engine, 60, burst=3)
        answers = [lim.hit("addr:1", now=50.0) for lim in (la, lb, la, lb)]
        assert answers[:3] == [None, None, None] and answers[3] is not None
    finally:
        a.dispose()
        b.dispose()


def test_parallel_hits_never_pass_the_burst(db_url):
    """Eight threads on four engines hit one bucket 40 times each with no time passing: exactly
    the burst gets through."""
    dbs = [Database(db_url) for _ in range(4)]
    dbs[0].migrate()
    limiters = [SharedRateLimiter(d.engine, 60, burst=25) for d in dbs]
    allowed: list[int] = []
    lock = threading.Lock()

    def hammer(lim: SharedRateLimiter) -> None:
        n = sum(lim.hit("addr:x", now=10.0) is None for _ in range(40))
        with lock:
            allowed.append(n)

    threads = [threading.Thread(target=hammer, args=(limiters[i % 4],)) for i in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(allowed) == 25
    finally:
        for d in dbs:
            d.dispose()


def test_idle_buckets_are_pruned(db):
    from datanuri.store import ratebuckets

    lim = SharedRateLimiter(db.engine, 60, burst=5)
    lim.hit("old", now=0.0)
    lim.hit("new", now=100.0)
    with db.engine.begin() as conn:
        assert ratebuckets.prune(conn, now=100.0, rate=1.0, capacity=5.0) == 1
        keys = conn.execute(sa.text("SELECT key FROM rate_buckets")).scalars().all()
    assert keys == ["new"]


@pytest.mark.parametrize(
    ("settings", "shared"),
    [
        ({}, False),
        ({"workers": 2}, True),
        ({"database_url": "postgresql+psycopg://u@h/d"}, True),
        ({"rate_limit_store": "memory", "workers": 4}, False),
        ({"rate_limit_store": "database"}, True),
    ],
)
def test_auto_shares_the_buckets_when_processes_may_be_several(settings, shared):
    assert Config.from_mapping(settings).shared_rate_limits is shared


def test_bad_store_and_workers_are_refused():
    from datanuri.errors import ConfigError

    with pytest.raises(ConfigError, match="RATE_LIMIT_STORE"):
        Config.from_mapping({"rate_limit_store": "redis"})
    with pytest.raises(ConfigError, match="WORKERS"):
        Config.from_mapping({"workers": "0"})
