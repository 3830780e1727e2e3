"""Killing the process during batch appends leaves a consistent log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from datanuri.ledger import Ledger
from datanuri.ledger.verify import verify_receipt
from datanuri.store.db import Database

SCRIPT = textwrap.dedent(
    """
    import sys
    from datanuri.ledger import Ledger
    from datanuri.store.db import Database
    from tests.ledger.conftest import make_event
    db = Database(sys.argv[1])
    ledger = Ledger(db, key_dir=sys.argv[2], origin="datanuri.test/ledger")
    i = 0
    while True:
        with db.session() as s:
            ledger.record_many(s, [make_event(i + k) for k in range(2000)])
        i += 2000
        ledger.checkpoint()
        print(i, flush=True)
    """
)


def test_kill_during_batch_append(db, db_url, tmp_path: Path):
    keys = tmp_path / "keys"
    Ledger(db, key_dir=keys, origin="datanuri.test/ledger").ensure_key()
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, db_url, str(keys)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])),
    )
    try:
        assert proc.stdout is not None
        assert int(proc.stdout.readline()) == 2000  # at least one batch committed
        time.sleep(0.15)  # now somewhere inside a later batch
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    db2 = Database(db_url)
    try:
        ledger = Ledger(db2, key_dir=keys, origin="datanuri.test/ledger")
        size = ledger.size()
        assert size % 2000 == 0 and size >= 2000  # whole batches only
        report = ledger.audit()
        assert report.ok, report.problems
        cp = ledger.checkpoint()
        assert cp.size == size
        assert verify_receipt(ledger.receipt(size - 1), public_key=ledger.public_key()).ok
    finally:
        db2.dispose()
