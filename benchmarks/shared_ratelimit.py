"""Rate-limit cost per request: buckets in memory (one process) against buckets shared through the
database (several processes), on SQLite and, with --pg, PostgreSQL.

    .venv/bin/python benchmarks/shared_ratelimit.py [--hits 2000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Prints the time per request of each and the ratio shared / memory (the price of sharing).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from datanuri.store.db import Database  # noqa: E402
from datanuri.web.ratelimit import RateLimiter, SharedRateLimiter  # noqa: E402

KEYS = 50  # distinct clients


def per_hit(hit: object, n: int) -> float:
    """Seconds per call of `hit(key)` over `n` calls spread over KEYS clients."""
    start = time.perf_counter()
    for i in range(n):
        hit(f"addr:10.0.{i % KEYS}.1")  # type: ignore[operator]
    return (time.perf_counter() - start) / n


def shared(url: str, n: int) -> float:
    db = Database(url)
    db.migrate()
    try:
        lim = SharedRateLimiter(db.engine, 600, burst=120)
        per_hit(lim.hit, min(n, 200))  # warm the pool and the statement cache
        return per_hit(lim.hit, n)
    finally:
        db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hits", type=int, default=2000)
    ap.add_argument("--pg", help="a PostgreSQL URL (a private schema is made and dropped)")
    args = ap.parse_args()
    memory = per_hit(RateLimiter(600, burst=120).hit, args.hits * 50)
    print(f"memory      {memory * 1e6:9.2f} µs/request")
    with tempfile.TemporaryDirectory() as tmp:
        t = shared(f"sqlite:///{tmp}/bench.db", args.hits)
        print(f"sqlite      {t * 1e6:9.2f} µs/request  shared/memory {t / memory:8.0f}x")
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.pg else "?"
            t = shared(f"{args.pg}{sep}options=-csearch_path%3D{schema}", args.hits)
            print(f"postgresql  {t * 1e6:9.2f} µs/request  shared/memory {t / memory:8.0f}x")
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
