"""Books benchmark: journal postings per second on SQLite and PostgreSQL from N threads.

Each thread pays sales (`Books.charge`: three postings, one ledger entry, the buyer's balance row
locked) from its own buyer's credit into two holder organisations and the platform's fee, so the
threads contend for the shared receivable and fee accounts and for the ledger, as real sales
would. `--shared-buyer` makes them all pay from one buyer's credit (the worst case). Each setting
runs `--repeats` times on a fresh database; the median is printed.

    .venv/bin/python benchmarks/books.py [--threads 1,2,4] [--sales 200] [--repeats 3]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--quick]

Prints one line per database and thread count, then the figures as one JSON line.

Measured 2026-12-04 with `--sales 50 --repeats 3 --threads 1,4` on the shared 2-core machine at
load 11-12 (other engineers' test runs): SQLite 215 postings/s (72 sales/s) from 1 thread, 223
from 4; PostgreSQL 91 from 1 thread, 72 from 4. Every sale locks the shared fee account's balance
row and appends to the ledger, so threads add little; on a loaded machine these are floors.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from benchmarks._harness import loadavg  # noqa: E402
from datanuri.accounts import SYSTEM  # noqa: E402
from datanuri.accounts.models import Organization, User  # noqa: E402
from datanuri.ledger import Ledger  # noqa: E402
from datanuri.market.books import Books  # noqa: E402
from datanuri.store.db import Database  # noqa: E402

ORGS = ("bench-holder-a", "bench-holder-b")


def one_run(url: str, key_dir: Path, threads: int, sales: int, shared: bool) -> dict[str, float]:
    """Postings per second of `threads` threads paying `sales` sales each on a fresh database."""
    db = Database(url)
    db.migrate()
    try:
        ledger = Ledger(db, key_dir=key_dir, origin="bench.local/ledger")
        ledger.ensure_key()
        books = Books(db, ledger)
        with db.session() as s:
            users = [
                User(email=f"b{i}@bench.local", display_name=f"b{i}", password_hash="-")
                for i in range(1 if shared else threads)
            ]
            s.add_all([*users, *(Organization(name=o, title=o) for o in ORGS)])
            s.flush()
            buyers = [u.id for u in users]
        for u in buyers:
            books.top_up(u, 10**12, f"top-{u}", principal=SYSTEM)
        start = threading.Barrier(threads)

        def worker(t: int) -> int:
            buyer = buyers[0 if shared else t]
            start.wait()
            for i in range(sales):
                books.charge(buyer, ORGS[i % 2], 1_000 + i, 330, f"sale-{t}-{i}", principal=SYSTEM)
            return sales

        t0 = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            done = sum(pool.map(worker, range(threads)))
        took = time.perf_counter() - t0
        check = books.verify(principal=SYSTEM)
        if not check.ok or not books.trial_balance(principal=SYSTEM).balanced:
            raise SystemExit(f"the books do not balance after the run: {check.problems}")
        return {"entries_per_s": done / took, "postings_per_s": 3 * done / took}
    finally:
        db.dispose()


def measure(
    name: str,
    url_for: Callable[[Path], AbstractContextManager[str]],
    threads: list[int],
    sales: int,
    repeats: int,
    shared: bool,
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for n in threads:
        runs = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as tmp, url_for(Path(tmp)) as url:
                runs.append(one_run(url, Path(tmp) / "keys", n, sales, shared))
        med = statistics.median(x["postings_per_s"] for x in runs)
        med_e = statistics.median(x["entries_per_s"] for x in runs)
        each = ", ".join(f"{x['postings_per_s']:.0f}" for x in runs)
        print(
            f"{name:10} threads={n:2}  postings/s median {med:8.0f}  "
            f"(sales/s {med_e:7.0f}; runs {each})"
            f"  {loadavg()}",
            flush=True,
        )
        out.append({"db": name, "threads": n, "postings_per_s": med, "entries_per_s": med_e})
    return out


class _Sqlite:
    def __init__(self, tmp: Path) -> None:
        self.url = f"sqlite:///{tmp / 'books.db'}"

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


class _PgSchema:
    """A private schema on the given PostgreSQL database, dropped afterwards."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.schema = f"bench_{uuid.uuid4().hex[:8]}"
        self.admin = sa.create_engine(base)

    def __enter__(self) -> str:
        with self.admin.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in self.base else "?"
        return f"{self.base}{sep}options=-csearch_path%3D{self.schema}"

    def __exit__(self, *exc: object) -> None:
        with self.admin.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", default="1,2,4", help="thread counts, comma-separated")
    ap.add_argument("--sales", type=int, default=200, help="sales per thread")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--shared-buyer", action="store_true", help="every thread pays from one buyer")
    ap.add_argument("--pg", help="also run on this PostgreSQL URL (in a private schema)")
    ap.add_argument("--quick", action="store_true", help="a few sales, once (a smoke run)")
    args = ap.parse_args()
    threads = [int(x) for x in args.threads.split(",")]
    sales, repeats = (5, 1) if args.quick else (args.sales, args.repeats)
    results = measure("sqlite", _Sqlite, threads, sales, repeats, args.shared_buyer)
    if args.pg:
        pg = args.pg

        def pg_url(_tmp: Path) -> _PgSchema:
            return _PgSchema(pg)

        results += measure("postgresql", pg_url, threads, sales, repeats, args.shared_buyer)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
