"""Market orders benchmark: orders per second with full bookkeeping on PostgreSQL, placed from a
second process, against a plain INSERT of the same rows in the same run.

The parent makes a fresh schema with a holder organisation, a restricted dataset, a published
one-off listing and `--buyers` buyers with credit. A child process (its own `Platform` on the same
database) then times, with `--threads` threads:

- `orders`: `Orders.place` — the idempotency lock and check, the sale's three postings with the
  balance rows locked, two ledger entries (sale, order), the entitlement and its ledger entry, the
  in-app notices, all in one transaction per order;
- `plain_insert` (the peer): the same rows (order, journal entry, three postings, entitlement)
  written by plain INSERTs into copies of those tables (`CREATE TABLE ... (LIKE ... INCLUDING
  ALL)`: same columns and indexes, no insert-only triggers), one transaction per order, no
  checks, locks or ledger.

Each is run `--repeats` times; the medians and their ratio are printed, then one JSON line.

    .venv/bin/python benchmarks/market.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
        [--orders 40] [--threads 4] [--repeats 3]

Measured 2026-12-04 with `--orders 20 --threads 4 --repeats 3` on the shared 2-core machine at
load 13-15 (other engineers' test runs): 7.6 orders/s with full bookkeeping (runs 7.6, 8.3, 6.5)
against 214 orders/s of plain INSERTs of the same rows: the plain insert is 28x as fast. Each
order appends three entries to the ledger (sale, order, entitlement), which are serialised and
signed, and locks the shared fee account's balance row; on a loaded machine these are floors.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from benchmarks._harness import loadavg  # noqa: E402
from benchmarks.books import _PgSchema  # noqa: E402


def _config(url: str, data: Path):  # type: ignore[no-untyped-def]
    from datanuri.config import Config

    return Config(
        data_dir=data, database_url=url, job_workers=0, desk_sweep_seconds=0,
        market_renew_seconds=0, second_factor_policy="off",
    )  # fmt: skip


def setup(url: str, data: Path, buyers: int) -> int:
    """The market world; returns the listing's id."""
    from datanuri.accounts import SYSTEM
    from datanuri.market import licence as L
    from datanuri.market import listing_rules as rules
    from datanuri.market.listings import SyntheticSample
    from datanuri.platform import Platform

    with Platform(_config(url, data)) as p:
        p.accounts.create_organization("holder", principal=SYSTEM)
        p.catalog.create_dataset("air", organization="holder", access_level="restricted",
                                 principal=SYSTEM)  # fmt: skip
        src = data / "air.csv"
        src.write_text("station,day,pm10\n" + "".join(f"s{i},2024-01-{i % 28 + 1:02d},{i}\n"
                                                     for i in range(50)))  # fmt: skip
        p.catalog.publish("air", src, principal=SYSTEM)
        sample = data / "sample.csv"
        sample.write_text("station,day,pm10\nsynthetic1,2024-02-01,1\nsynthetic2,2024-02-02,2\n")
        made = p.listings.create("air", title="air", price=rules.OneOff(1_000),
                                 terms=L.template("commercial-internal"),
                                 sample=SyntheticSample(sample), principal=SYSTEM)  # fmt: skip
        p.listings.publish(made.id, principal=SYSTEM)
        for i in range(buyers):
            p.accounts.create_user(f"b{i}@bench.local", display_name=f"b{i}",
                                   password="bench password 1", principal=SYSTEM)  # fmt: skip
            p.orders.top_up(f"b{i}@bench.local", 10**9, key=f"t{i}", principal=SYSTEM)
        with p.db.engine.begin() as c:  # the peer's tables: the same columns, no triggers
            for t in ("book_entries", "book_postings", "entitlements", "market_orders"):
                c.execute(sa.text(f"CREATE TABLE plain_{t} (LIKE {t} INCLUDING ALL)"))
        return made.id


def child(
    url: str, data: str, listing: int, orders: int, threads: int, kind: str, q: mp.Queue
) -> None:  # type: ignore[type-arg]
    """Runs in the second process: times `orders` orders per thread; puts orders/s."""
    from datanuri.platform import Platform

    with Platform(_config(url, Path(data))) as p:
        who = [p.accounts.principal_for(f"b{t}@bench.local") for t in range(threads)]
        run = uuid.uuid4().hex[:8]
        with p.db.session() as s:
            ds = s.execute(sa.text("SELECT id FROM datasets WHERE name='air'")).scalar_one()
            acct = s.execute(sa.text("SELECT id FROM book_accounts ORDER BY id")).scalars().all()

        def real(t: int) -> None:
            for i in range(orders):
                p.orders.place(listing, key=f"{run}-{t}-{i}", principal=who[t])

        def plain(t: int) -> None:
            uid = who[t].user_id
            for i in range(orders):
                key = f"{run}-{t}-{i}"
                with p.db.engine.begin() as c:
                    now = {"now": time.strftime("%Y-%m-%d %H:%M:%S")}
                    e = c.execute(
                        sa.text(
                            "INSERT INTO plain_book_entries (idempotency_key, request_sha256, kind, currency,"
                            " memo, actor, digest, created_at) VALUES (:k, :h, 'sale', 'KRW', '', 'x',"
                            " :h, :now) RETURNING id"
                        ),
                        {"k": key, "h": "0" * 64, **now},
                    ).scalar_one()
                    c.execute(
                        sa.text(
                            "INSERT INTO plain_book_postings (entry_id, account_id, amount) "
                            "VALUES (:e, :a, :m)"
                        ),
                        [
                            {"e": e, "a": acct[0], "m": 1000},
                            {"e": e, "a": acct[1], "m": -900},
                            {"e": e, "a": acct[2], "m": -100},
                        ],
                    )
                    ent = c.execute(
                        sa.text(
                            "INSERT INTO plain_entitlements (user_id, dataset_id, source, granted_by,"
                            " created_at) VALUES (:u, :d, 'market', 'x', :now) RETURNING id"
                        ),
                        {"u": uid, "d": ds, **now},
                    ).scalar_one()
                    c.execute(sa.text(
                        "INSERT INTO plain_market_orders (idempotency_key, request_sha256, buyer_id,"
                        " listing_id, dataset_id, price_kind, amount, fee, provider, status,"
                        " refunded, entry_id, entitlement_id, licence_sha256, starts_at,"
                        " created_at) VALUES (:k, :h, :u, :l, :d, 'one-off', 1000, 100, 'credit',"
                        " 'paid', 0, :e, :ent, :h, :now, :now)"),
                        {"k": "p" + key, "h": "0" * 64, "u": uid, "l": listing, "d": ds, "e": e,
                         "ent": ent, **now})  # fmt: skip

        work = real if kind == "orders" else plain
        t0 = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, range(threads)))
        took = time.perf_counter() - t0
        if kind == "orders":
            from datanuri.accounts import SYSTEM

            assert p.books.verify(principal=SYSTEM).ok
        q.put(orders * threads / took)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pg", required=True, help="a PostgreSQL URL (a private schema is used)")
    ap.add_argument("--orders", type=int, default=40, help="orders per thread")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    figures: dict[str, list[float]] = {"orders": [], "plain_insert": []}
    with tempfile.TemporaryDirectory() as tmp, _PgSchema(args.pg) as url:
        listing = setup(url, Path(tmp), args.threads)
        for _ in range(args.repeats):
            for kind in figures:
                q = ctx.Queue()
                proc = ctx.Process(target=child, args=(url, tmp, listing, args.orders,
                                                       args.threads, kind, q))  # fmt: skip
                proc.start()
                figures[kind].append(q.get(timeout=600))
                proc.join()
    med = {k: statistics.median(v) for k, v in figures.items()}
    ratio = med["plain_insert"] / med["orders"]
    print(f"orders       median {med['orders']:8.1f} orders/s  runs {figures['orders']}")
    print(
        f"plain insert median {med['plain_insert']:8.1f} orders/s  runs {figures['plain_insert']}"
    )
    print(f"the plain insert is {ratio:.1f}x as fast  {loadavg()}", flush=True)
    print(json.dumps({"threads": args.threads, "orders_per_thread": args.orders,
                      "orders_per_s": med["orders"], "plain_insert_per_s": med["plain_insert"],
                      "ratio": ratio}))  # fmt: skip


if __name__ == "__main__":
    main()
