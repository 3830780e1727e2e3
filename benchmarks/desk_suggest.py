"""Quality of the request desk's suggestions on a labelled set of requests.

Builds the demo platform (SQLite, in a temporary directory), asks `Suggester` for each request
of tests/desk/data/labelled_requests.csv as the demo analyst (no organisation: sees what the
public sees), and prints recall@5 and MRR for datasets and organisations, the requests without
an answer that still got suggestions, and every miss.

    PYTHONPATH=$PWD python benchmarks/desk_suggest.py [--k 5] [--csv PATH] [--pg URL]

With `--pg URL` (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) the platform runs on
PostgreSQL instead, in a schema of its own that is dropped at the end (its search index is then
the shared PostgreSQL one).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "desk" / "data" / "labelled_requests.csv"


@dataclass(frozen=True)
class Labelled:
    id: int
    title: str
    description: str
    theme: str | None
    region: str | None
    datasets: tuple[str, ...]  # names that answer it (none: the catalogue has no answer)
    organizations: tuple[str, ...]  # who holds the data (none: no demo organisation)
    reason: str


def load_labelled(path: Path = LABELLED) -> list[Labelled]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Labelled(
                int(r["id"]),
                r["title"],
                r["description"],
                r["theme"] or None,
                r["region"] or None,
                tuple(x for x in r["datasets"].split(";") if x),
                tuple(x for x in r["organizations"].split(";") if x),
                r["reason"],
            )
            for r in csv.DictReader(f)
        ]


@dataclass(frozen=True)
class Scores:
    recall: float  # share of the wanted items found in the top k, over requests that have any
    mrr: float  # mean reciprocal rank of the first wanted item
    requests: int  # requests with wanted items
    misses: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]  # (id, missed, got)


def score(
    wanted: Sequence[tuple[int, Sequence[str]]], got: Sequence[Sequence[str]], k: int
) -> Scores:
    """Recall@k (each wanted item counts, averaged per request) and MRR over the requests that
    have wanted items."""
    recalls, ranks, misses = [], [], []
    for (rid, want), have in zip(wanted, got, strict=True):
        if not want:
            continue
        top = list(have[:k])
        found = [w for w in want if w in top]
        recalls.append(len(found) / len(want))
        first = min((top.index(w) + 1 for w in found), default=None)
        ranks.append(1.0 / first if first else 0.0)
        missed = tuple(w for w in want if w not in top)
        if missed:
            misses.append((rid, missed, tuple(top)))
    n = len(recalls)
    return Scores(sum(recalls) / n if n else 0.0, sum(ranks) / n if n else 0.0, n, tuple(misses))


@dataclass(frozen=True)
class Report:
    datasets: Scores
    organizations: Scores
    unanswerable: int  # requests the catalogue cannot answer
    false_datasets: tuple[tuple[int, tuple[str, ...]], ...]  # such requests given datasets


@contextmanager
def demo_platform(where: Path, pg: str | None = None) -> Iterator[object]:
    """A platform with the demo data loaded: on SQLite in `where`, or on PostgreSQL at `pg` in
    a schema made (and dropped) here."""
    import uuid

    import sqlalchemy as sa

    from datanuri.config import Config
    from datanuri.demo.load import load_demo
    from datanuri.platform import Platform

    url = f"sqlite:///{where / 'bench.db'}"
    schema = f"desk_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg) if pg else None
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        options = f"-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"  # a throwaway schema
        url = f"{pg}{'&' if '?' in str(pg) else '?'}options={options}"
    p = Platform(Config(data_dir=where / "data", database_url=url, second_factor_policy="off"))
    try:
        load_demo(p, where / "src")
        yield p
    finally:
        p.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def evaluate(platform: object, rows: Sequence[Labelled], *, k: int = 5) -> Report:
    """Ask the suggester for every labelled request as the demo analyst and score the answers."""
    from datanuri.desk.suggest import RequestText, Suggester

    p = platform
    analyst = p.accounts.principal_for("analyst@datanuri.local")  # type: ignore[attr-defined]
    s = Suggester(p.db, p.search, p.access)  # type: ignore[attr-defined]
    got_ds, got_org = [], []
    false_ds = []
    for r in rows:
        out = s.suggest(
            RequestText(r.title, r.description, r.theme, r.region), principal=analyst, limit=k
        )
        names = [d.name for d in out.datasets]
        got_ds.append(names)
        got_org.append([o.name for o in out.organizations])
        if not r.datasets and names:
            false_ds.append((r.id, tuple(names)))
    return Report(
        score([(r.id, r.datasets) for r in rows], got_ds, k),
        score([(r.id, r.organizations) for r in rows], got_org, k),
        sum(1 for r in rows if not r.datasets),
        tuple(false_ds),
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--csv", type=Path, default=LABELLED)
    ap.add_argument("--pg", help="a PostgreSQL URL to run on instead of SQLite")
    args = ap.parse_args(argv)
    rows = load_labelled(args.csv)
    with tempfile.TemporaryDirectory() as tmp, demo_platform(Path(tmp), args.pg) as p:
        rep = evaluate(p, rows, k=args.k)
    print(f"database: {'PostgreSQL' if args.pg else 'SQLite'}")
    print(f"{len(rows)} labelled requests ({rep.unanswerable} with no dataset answering them)")
    for what, sc in (("datasets", rep.datasets), ("organisations", rep.organizations)):
        print(f"{what:14} recall@{args.k} {sc.recall:.3f}  MRR {sc.mrr:.3f}  over {sc.requests}")
    for what, sc in (("dataset", rep.datasets), ("organisation", rep.organizations)):
        for rid, missed, top in sc.misses:
            print(f"  {what} miss #{rid}: wanted {', '.join(missed)}; got {', '.join(top) or '-'}")
    print(f"unanswerable requests given datasets: {len(rep.false_datasets)} of {rep.unanswerable}")
    for rid, names in rep.false_datasets:
        print(f"  #{rid}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
