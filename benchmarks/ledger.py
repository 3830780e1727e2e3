"""Ledger benchmark against pymerkle's SqliteTree measured in the same run, at equal durability
(pymerkle is GPL: installed for this benchmark only, never a runtime dependency).

    pip install --target /tmp/bench-peer pymerkle==7.0.0   # outside the project's venv
    PYTHONPATH=.:/tmp/bench-peer .venv/bin/python benchmarks/ledger.py --leaves 1000000 \
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Both sides run SQLite in WAL mode on the same disk, with the same canonical bytes:

- batched appends of events, canonicalisation included on both sides (pymerkle is handed
  `canonical_leaf`'s bytes, computed inside its timed batch; what the `rfc8785` package would
  cost it instead is measured on a sample and printed beside);
- single appends, each committed on its own, at two equal settings: `synchronous=NORMAL` (a
  commit survives a crash of the process, the last ones may be lost on power failure: datanuri's
  default) and `synchronous=FULL` (every commit synced to disk: what `Ledger.append(...,
  durable=True)` does on SQLite, and every PostgreSQL commit by default);
- concurrent durable appends from several threads (datanuri: group commit; pymerkle: its lock);
- inclusion and consistency proofs at the full size, from a freshly opened database (cold) and
  then the median.

Repeats are interleaved (datanuri, pymerkle, datanuri, ...) and medians printed with the ratio
(for rates ours / peer, for times peer / ours: above 1 means datanuri is faster) and the load
average beside each figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rfc8785  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from benchmarks._harness import loadavg  # noqa: E402
from datanuri.events import Event  # noqa: E402
from datanuri.ledger import Ledger, canonical_leaf  # noqa: E402
from datanuri.store.db import Database  # noqa: E402

BATCH = 10_000
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
MODES = ("NORMAL", "FULL")  # SQLite synchronous settings, both sides in WAL mode


def event(i: int) -> Event:
    return Event(
        type="dataset.version.published",
        actor="user:bench",
        subject=f"dataset:bench-{i}@1",
        time=T0 + dt.timedelta(seconds=i),
        hashes={"parquet": f"sha256:{i:064x}"},
        data={"rows": i, "note": "측정소"},
    )


def per_op_ms(fn: Callable[[int], object], start: int, count: int) -> float:
    """Mean milliseconds of `fn(i)` over `count` calls."""
    t = time.perf_counter()
    for i in range(start, start + count):
        fn(i)
    return (time.perf_counter() - t) / count * 1000


def timed_ms(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


class Ours:
    """The datanuri ledger on one database, opened with SQLite's `synchronous` set to `mode`."""

    def __init__(self, url: str, key_dir: Path, mode: str = "NORMAL") -> None:
        self.db = Database(url)
        if url.startswith("sqlite") and mode != "NORMAL":
            # runs after the engine's own connect hook (WAL, NORMAL), so it wins
            sa.event.listen(self.db.engine, "connect", _synchronous(mode))
        self.db.migrate()
        self.ledger = Ledger(self.db, key_dir=key_dir, origin="bench.local/ledger")
        self.ledger.ensure_key()

    def batch(self, events: list[Event]) -> None:
        with self.db.session() as s:
            self.ledger.record_many(s, events)

    def record(self, i: int) -> None:
        with self.db.session() as s:
            self.ledger.record(s, event(i))

    def append(self, i: int) -> None:
        self.ledger.append(event(i))

    def append_durable(self, i: int) -> None:
        self.ledger.append(event(i), durable=True)

    def close(self) -> None:
        self.db.dispose()


def _synchronous(mode: str) -> Callable[[Any, Any], None]:
    def hook(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA synchronous={mode}")

    return hook


class Peer:
    """pymerkle's SqliteTree in WAL mode with `synchronous` set to `mode`."""

    def __init__(self, path: Path, mode: str = "NORMAL") -> None:
        from pymerkle import SqliteTree

        self.tree = SqliteTree(str(path))
        self.tree.con.execute("PRAGMA journal_mode=WAL")
        self.tree.con.execute(f"PRAGMA synchronous={mode}")

    def batch(self, events: list[Event]) -> None:
        self.tree.append_entries([canonical_leaf(e) for e in events])

    def append(self, i: int) -> None:
        self.tree.append_entry(canonical_leaf(event(i)))

    def close(self) -> None:
        self.tree.close()


def median_rows(rows: dict[str, list[float]]) -> dict[str, float]:
    return {k: statistics.median(v) for k, v in rows.items() if v}


def line(metric: str, ours: float, peer: float | None, *, rate: bool) -> None:
    if peer is None:
        print(f"{metric:52} {ours:12.4f} {'':>12} {'':>8}  {loadavg()}")
        return
    ratio = ours / peer if rate else peer / ours
    print(f"{metric:52} {ours:12.4f} {peer:12.4f} {ratio:7.2f}x  {loadavg()}")


def header(title: str) -> None:
    print(f"\n== {title} ==")
    print(f"{'metric':52} {'datanuri':>12} {'pymerkle':>12} {'ratio':>8}")


def fill(ours: Ours, peer: Peer | None, n: int) -> None:
    """Batched appends of n events, batches interleaved between the two sides."""
    times: dict[str, float] = {"ours": 0.0, "peer": 0.0}
    for start in range(0, n, BATCH):
        events = [event(i) for i in range(start, min(n, start + BATCH))]
        times["ours"] += timed_ms(lambda events=events: ours.batch(events))
        if peer is not None:
            times["peer"] += timed_ms(lambda events=events: peer.batch(events))
    sample = [event(i) for i in range(BATCH)]
    fast = timed_ms(lambda: [canonical_leaf(e) for e in sample]) / BATCH
    package = timed_ms(lambda: [rfc8785.dumps(e.to_json_obj()) for e in sample]) / BATCH
    header(f"batched appends of {n:,} events, batches of {BATCH:,}, canonicalisation included")
    ours_rate = n / times["ours"] * 1000
    peer_rate = n / times["peer"] * 1000 if peer is not None else None
    line("leaves/s (peer given canonical_leaf's bytes)", ours_rate, peer_rate, rate=True)
    if peer_rate is not None:
        # the peer's time per leaf with the rfc8785 package instead of canonical_leaf
        with_package = 1000 / (1000 / peer_rate - fast + package)
        line(
            "leaves/s (peer with the rfc8785 package; derived)", ours_rate, with_package, rate=True
        )
    line(
        "canonicalisation us/leaf: canonical_leaf vs rfc8785",
        fast * 1000,
        package * 1000,
        rate=False,
    )


def singles(ours: Ours, peer: Peer | None, mode: str, count: int, rounds: int, base: int) -> None:
    """Single appends, each committed on its own, interleaved rounds."""
    rows: dict[str, list[float]] = {"record": [], "append": [], "peer": []}
    for r in range(rounds):
        start = base + r * count * 3
        rows["record"].append(per_op_ms(ours.record, start, count))
        rows["append"].append(per_op_ms(ours.append, start + count, count))
        if peer is not None:
            rows["peer"].append(per_op_ms(peer.append, start + 2 * count, count))
    m = median_rows(rows)
    setting = f"WAL + synchronous={mode}" if mode in MODES else mode
    header(f"single appends, {setting}, median of {rounds} rounds of {count}")
    p = m.get("peer")
    line("ms per append: Ledger.append (own transaction)", m["append"], p, rate=False)
    line("ms per append: Ledger.record in a session", m["record"], p, rate=False)


def concurrent(
    ours: Ours, peer: Peer | None, threads: int, count: int, rounds: int, base: int
) -> None:
    """Durable appends from `threads` threads at once: appends per second."""

    def run(fn: Callable[[int], None], start: int) -> float:
        workers = [
            threading.Thread(target=lambda t=t: [fn(start + t * count + k) for k in range(count)])
            for t in range(threads)
        ]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return threads * count / (time.perf_counter() - t0)

    rows: dict[str, list[float]] = {"ours": [], "peer": []}
    commits = ours.ledger.group_commit.commits
    for r in range(rounds):
        start = base + r * threads * count * 2
        rows["ours"].append(run(ours.append_durable, start))
        if peer is not None:
            rows["peer"].append(run(peer.append, start + threads * count))
    commits = ours.ledger.group_commit.commits - commits
    m = median_rows(rows)
    synced = "synchronous=FULL" if peer is not None else "PostgreSQL's default"
    header(
        f"{threads} threads appending at once, every commit synced ({synced}), "
        f"median of {rounds} rounds of {threads}x{count}"
    )
    p = m.get("peer")
    line("appends/s (datanuri: group commit)", m["ours"], p, rate=True)
    print(f"datanuri commits: {commits} for {rounds * threads * count} appends")


def proofs(ours_open: Callable[[], Ours], peer_open: Callable[[], Peer] | None, count: int) -> None:
    """Inclusion and consistency proofs at the full size: cold (fresh open) and median."""
    ours, peer = ours_open(), peer_open() if peer_open is not None else None
    size = ours.ledger.size()
    psize = peer.tree.get_size() if peer is not None else 0
    common = min(size, psize) if peer is not None else size  # indexes both sides hold
    rng = random.Random(1)
    picks = [(rng.randrange(common), rng.randrange(1, common)) for _ in range(count + 1)]
    rows: dict[str, list[float]] = {k: [] for k in ("oi", "pi", "oc", "pc")}
    cold: dict[str, float] = {}
    for n, (i, first) in enumerate(picks):
        rows["oi"].append(timed_ms(lambda i=i: ours.ledger.inclusion_proof(i, size)))
        rows["oc"].append(timed_ms(lambda f=first: ours.ledger.consistency_proof(f, size)))
        if peer is not None:
            # pymerkle counts leaves from one
            rows["pi"].append(timed_ms(lambda i=i: peer.tree.prove_inclusion(i + 1, psize)))
            rows["pc"].append(timed_ms(lambda f=first: peer.tree.prove_consistency(f, psize)))
        if n == 0:
            cold = {k: v[0] for k, v in rows.items() if v}
    ours.close()
    if peer is not None:
        peer.close()
    warm = {k: statistics.median(v[1:]) for k, v in rows.items() if v}
    sizes = f"{size:,} (pymerkle {psize:,})" if peer is not None else f"{size:,}"
    header(f"proofs at size {sizes}, {count} each, interleaved")
    for what, o, p in (("inclusion", "oi", "pi"), ("consistency", "oc", "pc")):
        line(f"{what} ms, cold (first after opening)", cold[o], cold.get(p), rate=False)
        line(f"{what} ms, median", warm[o], warm.get(p), rate=False)


def bench(url: str, tmp: Path, args: argparse.Namespace, *, peer: bool) -> None:
    keys = tmp / f"keys-{uuid.uuid4().hex[:6]}"
    sqlite = url.startswith("sqlite")
    peer_path = tmp / "pymerkle.db"
    ours = Ours(url, keys)
    p = Peer(peer_path) if peer else None
    fill(ours, p, args.leaves)
    base = 10 * args.leaves
    for mode in MODES if sqlite else ("PostgreSQL, the server's default durability",):
        if mode != "NORMAL" and sqlite:
            ours.close()
            ours = Ours(url, keys, mode)
            if p is not None:
                p.close()
                p = Peer(peer_path, mode)
        singles(ours, p, mode, args.singles, args.rounds, base)
        base += 3 * args.singles * args.rounds
    concurrent(ours, p, args.threads, args.singles // args.threads, args.rounds, base)
    ours.close()
    if p is not None:
        p.close()
    proofs(
        lambda: Ours(url, keys),
        (lambda: Peer(peer_path)) if peer else None,
        args.proofs,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--leaves", type=int, default=1_000_000)
    ap.add_argument("--singles", type=int, default=400, help="single appends per round and side")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds per measurement")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--proofs", type=int, default=1000)
    ap.add_argument(
        "--pg", help="also run datanuri on this PostgreSQL URL (a private schema, then dropped)"
    )
    args = ap.parse_args()
    print(
        "datanuri's 'durable': SQLite runs in WAL with synchronous=NORMAL (a commit survives a "
        "crash of the process; the last commits may be lost on power failure); "
        "Ledger.append(durable=True) syncs its commit (synchronous=FULL for it); PostgreSQL "
        "syncs every commit (synchronous_commit=on, its default)."
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        bench(f"sqlite:///{tmpd / 'ledger.db'}", tmpd, args, peer=True)
        if args.pg:
            print("\n#### datanuri on PostgreSQL (no peer on this database; ratios omitted)")
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(args.pg)
            with admin.begin() as c:
                c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in args.pg else "?"
                url = f"{args.pg}{sep}options=-csearch_path%3D{schema}"
                bench(url, tmpd, args, peer=False)
            finally:
                with admin.begin() as c:
                    c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
