"""A platform with short queue settings and no worker threads of its own: each test runs the
workers it needs (threads of a `JobRunner`, or `datanuri worker` processes)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

FAST = {
    "job_workers": 0,
    "job_lease_seconds": 1.0,
    "job_heartbeat_seconds": 0.2,
    "job_poll_seconds": 0.05,
    "job_retry_seconds": 0.05,
    "desk_sweep_seconds": 0,  # no periodic sweep rows among the jobs these tests count
    "ai_drift_seconds": 0,  # nor drift monitor runs
    "market_renew_seconds": 0,  # nor subscription renewals
    "linkage_expire_seconds": 0,  # nor linkage expiry sweeps
    "mydata_expiry_seconds": 0,  # nor consent expiry sweeps
}


@pytest.fixture
def fast_config(config: Any) -> Any:
    return dataclasses.replace(config, **FAST)


@pytest.fixture
def qp(fast_config: Any) -> Iterator[Any]:
    """A Platform on each backend with the test kinds registered (tests/jobs/kinds.py)."""
    from datanuri.platform import Platform
    from tests.jobs import kinds
    from tests.jobs.kinds import register

    p = Platform(fast_config)
    register(p.jobs.registry)
    try:
        yield p
    finally:
        for event in kinds.GATES.values():  # no worker thread is left waiting on a gate
            event.set()
        p.close()


@pytest.fixture(autouse=True)
def _fresh_test_kinds() -> Iterator[None]:
    """The test kinds' counters and events start empty in every test (and backend)."""
    from tests.jobs import kinds

    for state in (kinds.CALLS, kinds.GATES, kinds.STARTED, kinds.CONTEXTS):
        state.clear()
    yield
    for event in kinds.GATES.values():  # never leave a worker thread waiting
        event.set()
