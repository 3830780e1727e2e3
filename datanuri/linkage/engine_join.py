"""The exact-key join of keyed files on the compute engine (`datanuri.engine`: DuckDB or Spark).

The same pairs as `match.rules_join` (row numbers of the left and right file, the first rule
that holds; equality never holds for NULL) from the same SQL (`match.join_sql`, DuckDB's
dialect, transpiled for Spark by the engine), run over the Parquet files themselves with each
row's position in its file: with `DATANURI_ENGINE=spark` the join runs on Spark. `join_pairs`
collects the pairs (the zone's match); `write_pairs` streams them into a Parquet file (the join
at scale, `benchmarks/linkage.py --join`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from datanuri.engine import Engine, Parquet
from datanuri.linkage.match import ROW, Pairs, empty_pairs, join_sql, pairs_of, usable_rules


def _inputs(left: Path, right: Path) -> dict[str, Parquet]:
    return {"a": Parquet(left, row_number=ROW), "b": Parquet(right, row_number=ROW)}


def _rules(left: Path, right: Path, rules: Sequence[Sequence[str]]) -> list[list[str]]:
    return usable_rules(pq.read_schema(left).names, pq.read_schema(right).names, rules)


def join_pairs(engine: Engine, left: Path, right: Path, rules: Sequence[Sequence[str]]) -> Pairs:
    """The pairs of the two Parquet files for which any rule holds, computed on ``engine``."""
    rules = _rules(left, right, rules)
    if not rules:
        return empty_pairs()
    return pairs_of(engine.query(join_sql(rules), _inputs(left, right)), rules)


def write_pairs(
    engine: Engine, left: Path, right: Path, rules: Sequence[Sequence[str]], out: Path
) -> int:
    """Stream the pairs (l, r, n) into the Parquet file ``out``; the number of pairs."""
    rules = _rules(left, right, rules)
    if not rules:
        empty = pa.table({c: pa.array([], pa.int64()) for c in ("l", "r", "n")})
        pq.write_table(empty, out)
        return 0
    return engine.write_parquet(join_sql(rules), _inputs(left, right), out)
