"""A request holds at most one pooled database connection at a time.

With the pool's connections all held by requests that each wait for a second one, every request
waits until the pool times out (30 s) and fails: `benchmarks/soak.py` found this on PostgreSQL at
20 requests per second, where reading a version's rows (downloads, previews) logged the access in
a second session while the first was still open. The connections checked out by the calling
thread are counted with the pool's own checkout/checkin events.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from datanuri import errors
from datanuri.accounts.principal import ANONYMOUS, SYSTEM
from tests.helpers import air_csv


@contextmanager
def most_connections_held(engine) -> Iterator[list[int]]:
    """Yield a one-item list that ends up holding the most connections this thread held at once."""
    me = threading.get_ident()
    held, most = [0], [0]

    def out(*_a: object) -> None:
        if threading.get_ident() == me:
            held[0] += 1
            most[0] = max(most[0], held[0])

    def back(*_a: object) -> None:
        if threading.get_ident() == me:
            held[0] -= 1

    event.listen(engine, "checkout", out)
    event.listen(engine, "checkin", back)
    try:
        yield most
    finally:
        event.remove(engine, "checkout", out)
        event.remove(engine, "checkin", back)


@pytest.fixture
def air(platform, tmp_path):
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    platform.catalog.publish("air", air_csv(tmp_path / "air.csv"), principal=SYSTEM)
    return platform


def test_reading_rows_holds_one_connection_at_a_time(air):
    cat = air.catalog
    with most_connections_held(air.db.engine) as most:
        path = cat.parquet_path("air", principal=ANONYMOUS, purpose="download:csv")
        b"".join(cat.download("air", None, format="csv", principal=ANONYMOUS))
    assert path.is_file()
    assert most == [1]


def test_a_refused_read_is_logged_and_holds_one_connection_at_a_time(air):
    cat = air.catalog
    cat.update_dataset("air", access_level="restricted", principal=SYSTEM)
    with most_connections_held(air.db.engine) as most:
        with pytest.raises((errors.PermissionDenied, errors.NotAuthenticated)):
            cat.parquet_path("air", principal=ANONYMOUS, purpose="download:csv")
    assert most == [1]
    log = air.access.read_log(SYSTEM, dataset="air")
    assert [(e["action"], e["allowed"]) for e in log][:1] == [("download:csv", False)]
