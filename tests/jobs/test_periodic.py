"""Periodic jobs: one row per period whoever schedules it, run by any worker, and the next
period scheduled by the run; the desk's overdue sweep is one of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from datanuri.jobs.kinds import JobKind
from datanuri.jobs.models import Job
from datanuri.platform import Platform
from tests.jobs.kinds import CALLS, Steps, steps

HOUR = 3600.0
T0 = dt.datetime(2026, 12, 4, 10, 20, tzinfo=dt.UTC)  # inside the 10:00-11:00 period


def _rows(p: Any, kind: str) -> dict[str, tuple[str, dt.datetime]]:
    with p.db.session() as s:
        return {j.id: (j.status, j.run_after) for j in s.query(Job).filter(Job.kind == kind)}


def test_each_period_is_one_row_however_many_processes_schedule_it(qp, fast_config):
    tick = JobKind("test.tick", Steps, steps)
    qp.jobs.every(tick, Steps("tick"), HOUR)
    assert qp.jobs.schedule_periodic(T0) == 2  # this period's row and the next one's
    other = Platform(fast_config)  # a second process on the same database
    try:
        other.jobs.every(tick, Steps("tick"), HOUR)
        assert other.jobs.schedule_periodic(T0 + dt.timedelta(minutes=5)) == 0
    finally:
        other.close()
    start = T0.replace(minute=0)
    rows = _rows(qp, "test.tick")
    assert rows == {
        f"test.tick@{int(start.timestamp())}": ("queued", start),
        f"test.tick@{int(start.timestamp()) + 3600}": ("queued", start + dt.timedelta(hours=1)),
    }


def test_a_kind_whose_period_ids_do_not_fit_the_id_column_is_refused(qp):
    """A period's row id is "<kind>@<Unix seconds>" in the jobs table's 32-character id: a
    longer kind name is refused when registered (PostgreSQL would refuse each row)."""
    long_kind = JobKind("test.kind_name_of_021", Steps, steps)  # 21 + 11 = 32: fits
    qp.jobs.every(long_kind, Steps("tick"), HOUR)
    assert qp.jobs.schedule_periodic(T0) == 2
    with pytest.raises(ValueError, match="too long"):
        qp.jobs.every(JobKind("test.kind_name_of_0022", Steps, steps), Steps("tick"), HOUR)
    assert qp.jobs.registry.get("test.kind_name_of_0022") is None


def test_a_worker_runs_the_due_period_and_its_run_schedules_the_next(qp):
    CALLS["periodic"] = 0
    qp.jobs.every(JobKind("test.tick", Steps, steps), Steps("periodic"), 2.0)
    qp.jobs.work(concurrency=1, once=False, stop=_stop_after(qp, "test.tick", 2))
    assert CALLS["periodic"] >= 2  # two periods ran, one after the other
    rows = _rows(qp, "test.tick")
    assert sum(status == "succeeded" for status, _ in rows.values()) >= 2
    assert any(status == "queued" for status, _ in rows.values())  # the next one is waiting


def _stop_after(p: Any, kind: str, n: int) -> Any:
    """An event set once `n` jobs of `kind` have succeeded (checked on a timer thread)."""
    import threading
    import time

    stop = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = [s for s, _ in _rows(p, kind).values() if s == "succeeded"]
            if len(done) >= n:
                break
            time.sleep(0.1)
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    return stop


def test_the_desk_sweep_is_a_periodic_job_that_escalates(fast_config):
    """With `desk_sweep_seconds` set, starting the workers queues the sweep, and a worker's run
    of it sweeps the desk (here nothing is overdue: the run succeeds with nothing escalated)."""
    p = Platform(dataclasses.replace(fast_config, desk_sweep_seconds=3600))
    try:
        assert p.jobs.registry.get("desk.sweep") is not None
        p.jobs.work(concurrency=1, once=False, stop=_stop_after(p, "desk.sweep", 1))
        ran = [j for j in p.jobs.list(actor=None) if j.kind == "desk.sweep"]
        assert any(j.status == "succeeded" and j.result == {"escalated": []} for j in ran)
    finally:
        p.close()
    off = Platform(dataclasses.replace(fast_config, desk_sweep_seconds=0))
    try:
        assert off.jobs.registry.get("desk.sweep") is None
    finally:
        off.close()
