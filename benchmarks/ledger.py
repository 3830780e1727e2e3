"""Ledger benchmark: appends per second and proof times, against pymerkle's SqliteTree measured
in the same run (pymerkle is GPL: installed for this benchmark only, never a runtime dependency).

    .venv/bin/pip install pymerkle
    .venv/bin/python benchmarks/ledger.py --leaves 1000000 [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints figures and ratios (ours / baseline; for times, baseline / ours, so > 1 means faster).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from datanuri.events import Event  # noqa: E402
from datanuri.ledger import Ledger, canonical_leaf, store  # noqa: E402
from datanuri.store.db import Database  # noqa: E402

BATCH = 10_000
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def event(i: int) -> Event:
    return Event(
        type="dataset.version.published",
        actor="user:bench",
        subject=f"dataset:bench-{i}@1",
        time=T0 + dt.timedelta(seconds=i),
        hashes={"parquet": f"sha256:{i:064x}"},
    )


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def bench_ours(url: str, key_dir: Path, n: int, singles: int, proofs: int) -> dict[str, float]:
    db = Database(url)
    db.migrate()
    ledger = Ledger(db, key_dir=key_dir, origin="bench.local/ledger")
    ledger.ensure_key()
    datas = [canonical_leaf(event(i)) for i in range(n)]
    t = time.perf_counter()
    for start in range(0, n, BATCH):
        with db.session() as s:
            store.append_leaves(s, datas[start : start + BATCH])
    batched = n / (time.perf_counter() - t)
    # the full path, events canonicalised inside record_many, on a further 5 batches
    extra = [event(n + i) for i in range(5 * BATCH)]
    t = time.perf_counter()
    for start in range(0, len(extra), BATCH):
        with db.session() as s:
            ledger.record_many(s, extra[start : start + BATCH])
    batched_events = len(extra) / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(singles):
        with db.session() as s:
            ledger.record(s, event(10 * n + i))
    single_ms = (time.perf_counter() - t) / singles * 1000
    size = ledger.size()
    db.dispose()

    # proofs from a freshly opened database
    db = Database(url)
    ledger = Ledger(db, key_dir=key_dir, origin="bench.local/ledger")
    rng = random.Random(1)
    cold_incl, _ = timed(ledger.inclusion_proof, rng.randrange(size), size)
    incl = [timed(ledger.inclusion_proof, rng.randrange(size), size)[0] for _ in range(proofs)]
    cold_cons, _ = timed(ledger.consistency_proof, rng.randrange(1, size), size)
    cons = [timed(ledger.consistency_proof, rng.randrange(1, size), size)[0] for _ in range(proofs)]
    db.dispose()
    return {
        "batched leaves/s": batched,
        "batched leaves/s (with canonicalisation)": batched_events,
        "single append ms": single_ms,
        "inclusion cold ms": cold_incl * 1000,
        "inclusion median ms": statistics.median(incl) * 1000,
        "consistency cold ms": cold_cons * 1000,
        "consistency median ms": statistics.median(cons) * 1000,
    }


def bench_pymerkle(path: Path, n: int, singles: int, proofs: int) -> dict[str, float]:
    from pymerkle import SqliteTree

    datas = [canonical_leaf(event(i)) for i in range(n)]
    tree = SqliteTree(str(path))
    t = time.perf_counter()
    for start in range(0, n, BATCH):
        tree.append_entries(datas[start : start + BATCH])
    batched = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(singles):
        tree.append_entry(canonical_leaf(event(10 * n + i)))
    single_ms = (time.perf_counter() - t) / singles * 1000
    size = tree.get_size()
    tree.close()
    tree = SqliteTree(str(path))
    rng = random.Random(1)
    cold_incl, _ = timed(tree.prove_inclusion, rng.randrange(1, size + 1), size)
    incl = [timed(tree.prove_inclusion, rng.randrange(1, size + 1), size)[0] for _ in range(proofs)]
    cold_cons, _ = timed(tree.prove_consistency, rng.randrange(1, size), size)
    cons = [timed(tree.prove_consistency, rng.randrange(1, size), size)[0] for _ in range(proofs)]
    tree.close()
    return {
        "batched leaves/s": batched,
        "single append ms": single_ms,
        "inclusion cold ms": cold_incl * 1000,
        "inclusion median ms": statistics.median(incl) * 1000,
        "consistency cold ms": cold_cons * 1000,
        "consistency median ms": statistics.median(cons) * 1000,
    }


def report(name: str, ours: dict[str, float], base: dict[str, float]) -> None:
    print(f"\n== datanuri ledger on {name} vs pymerkle SqliteTree ==")
    print(f"{'metric':45} {'datanuri':>12} {'pymerkle':>12} {'ratio':>8}")
    for k, v in ours.items():
        b = base.get(k) or base.get(k.split(" (")[0])
        if b is None:
            print(f"{k:45} {v:12.4f}")
            continue
        ratio = v / b if "/s" in k else b / v
        print(f"{k:45} {v:12.4f} {b:12.4f} {ratio:7.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--leaves", type=int, default=1_000_000)
    ap.add_argument("--singles", type=int, default=2000)
    ap.add_argument("--proofs", type=int, default=1000)
    ap.add_argument(
        "--pg", help="also run on this PostgreSQL URL (a private schema is created and dropped)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        base = bench_pymerkle(tmpd / "pymerkle.db", args.leaves, args.singles, args.proofs)
        ours = bench_ours(
            f"sqlite:///{tmpd / 'ledger.db'}", tmpd / "keys", args.leaves, args.singles, args.proofs
        )
        print(
            f"leaves: {args.leaves:,}; batches of {BATCH:,}; {args.singles} single appends; {args.proofs} proofs"
        )
        report("SQLite", ours, base)
        if args.pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.pg)
            with admin.begin() as c:
                c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in args.pg else "?"
                pg = bench_ours(
                    f"{args.pg}{sep}options=-csearch_path%3D{schema}",
                    tmpd / "keys-pg",
                    args.leaves,
                    args.singles,
                    args.proofs,
                )
                report("PostgreSQL", pg, base)
            finally:
                with admin.begin() as c:
                    c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
