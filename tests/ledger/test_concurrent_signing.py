"""Two processes appending and signing checkpoints at once: never two checkpoints of one size,
never an inconsistent one (the state row is locked while a checkpoint is signed)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

from datanuri.ledger import Ledger, merkle
from datanuri.ledger.checkpoint import open_checkpoint
from datanuri.ledger.models import LedgerCheckpoint

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = textwrap.dedent(
    """
    import sys
    from datanuri.ledger import Ledger
    from datanuri.store.db import Database
    from tests.ledger.conftest import make_event
    db = Database(sys.argv[1])
    ledger = Ledger(db, key_dir=sys.argv[2], origin="datanuri.test/ledger")
    base = int(sys.argv[3])
    signed = []
    for i in range(60):
        if i % 3 == 0:
            with db.session() as s:
                ledger.record(s, make_event(base + i))
        signed.append(ledger.checkpoint().size)
    print(" ".join(map(str, signed)), flush=True)
    """
)


def test_two_processes_sign_one_consistent_history(db, db_url, tmp_path: Path):
    keys = tmp_path / "keys"
    Ledger(db, key_dir=keys, origin="datanuri.test/ledger").ensure_key()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, db_url, str(keys), str(base)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            text=True,
        )
        for base in (0, 10_000)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err  # no process met a duplicate or inconsistent checkpoint
    seen = [int(n) for out, _ in outs for n in out.split()]
    assert len(seen) == 120

    ledger = Ledger(db, key_dir=keys, origin="datanuri.test/ledger")
    assert ledger.size() == 40
    with db.session() as s:
        rows = s.scalars(sa.select(LedgerCheckpoint).order_by(LedgerCheckpoint.size)).all()
    sizes = [r.size for r in rows]
    assert len(sizes) == len(set(sizes)) and set(seen) == set(sizes)
    verifier = ledger.keys.ensure().verifier()
    previous = None
    for row in rows:  # each signed, each the tree's root at its size, each extending the last
        cp = open_checkpoint(row.note, verifier, origin="datanuri.test/ledger")
        assert cp.size == row.size and cp.root == row.root == ledger.root(row.size)
        if previous is not None and previous.size > 0:
            proof = ledger.consistency_proof(previous.size, row.size)
            merkle.verify_consistency(previous.size, row.size, previous.root, row.root, proof)
        previous = row
    assert ledger.audit().ok
