"""De-identification on the engine: the frequency table, the search on it and the streamed
release equal the in-memory `anonymize` (same levels, suppression, loss; same rows in the same
order with the same values and column types), on DuckDB and Spark."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from datanuri.engine import Engine
from datanuri.errors import InvalidInput
from datanuri.privacy.anonymize import anonymize
from datanuri.privacy.hierarchies import (
    DateHierarchy,
    Hierarchy,
    IntervalHierarchy,
    PrefixHierarchy,
    TableHierarchy,
)
from datanuri.privacy.scale import (
    FileRelease,
    Leaves,
    anonymize_file,
    column_leaves,
    frequencies,
    start_levels,
)
from tests.engine.data import REGIONS, synthetic, write
from tests.privacy.adult import adult, hierarchies


def same_release(
    engine: Engine, table: pa.Table, tmp_path: Path, qis: dict[str, Hierarchy], **kw: Any
) -> FileRelease:
    """`anonymize_file` on `engine` releases exactly what `anonymize` releases (the loss to
    the last bit when the search starts at the leaves, up to rounding when above them)."""
    src = write(table, tmp_path / "source.parquet", row_group_size=8_192)
    source = pq.read_table(src)  # what the engine reads (nullability as stored)
    expected = anonymize(source, quasi_identifiers=qis, **kw)
    out = tmp_path / "release.parquet"
    got = anonymize_file(engine, src, out, quasi_identifiers=qis, **kw)
    assert got.levels == expected.levels
    assert got.suppressed == expected.suppressed
    if any(got.start.values()):
        assert math.isclose(got.loss, expected.loss, rel_tol=1e-12)
    else:
        assert got.loss == expected.loss
    assert got.records == source.num_rows
    released = pq.read_table(out)
    assert released.column_names == expected.table.column_names
    assert released.schema.types == expected.table.schema.types
    assert (
        released.num_rows
        == expected.table.num_rows
        == got.released + (got.suppressed if kw.get("suppression") == "mask" else 0)
    )
    assert released.cast(expected.table.schema).equals(expected.table)  # values and order
    return got


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"k": 5, "max_suppression": 0.01}, id="k5-1%"),
    ],
)  # fmt: skip
def test_adult_release_on_the_engine_equals_the_in_memory_one(
    engine: Engine, tmp_path: Path, kw: dict[str, Any]
) -> None:
    same_release(engine, adult(), tmp_path, hierarchies(), **kw)


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"k": 5, "max_suppression": 0.01, "suppression": "mask"}, id="masked"),
        pytest.param({"k": 10, "max_suppression": 0.0, "loss": "discernibility"}, id="no-supp"),
        pytest.param(
            {"model": "recursive-cl-diversity", "k": 5, "l": 4, "c": 3,
             "sensitive": "occupation", "max_suppression": 0.01},
            id="recursive-l",
        ),
        pytest.param(
            {"model": "distinct-l-diversity", "k": 3, "l": 3, "sensitive": "occupation",
             "max_suppression": 0.05, "loss": "ncp"},
            id="distinct-l",
        ),
        pytest.param({"k": 5, "risk_threshold": 0.1, "max_suppression": 0.02}, id="risk"),
        pytest.param(
            {"model": "t-closeness", "k": 5, "t": 0.2, "sensitive": "occupation",
             "max_suppression": 0.02},
            id="t-closeness",
        ),
    ],
)  # fmt: skip
def test_adult_models_on_duckdb(tmp_path: Path, kw: dict[str, Any]) -> None:
    """The other models and options (the sensitive column on Spark: the synthetic test)."""
    from datanuri.engine import EngineSettings, make_engine

    engine = make_engine(EngineSettings(tmp_dir=tmp_path / "engine"))
    same_release(engine, adult(), tmp_path, hierarchies(), **kw)


def person_hierarchies() -> dict[str, Hierarchy]:
    return {
        "age": IntervalHierarchy((5, 10, 20), start=0),
        "sex": TableHierarchy.from_rows([["남"], ["여"]]),
        "sido": TableHierarchy.from_rows(
            [[r, "수도권" if r in ("서울특별시", "인천광역시") else "비수도권"] for r in REGIONS]
        ),
        "birth": DateHierarchy(),
        "postcode": PrefixHierarchy(keep=(5, 3, 2, 0)),
    }


def test_synthetic_people_with_nulls_korean_and_dates(engine: Engine, tmp_path: Path) -> None:
    same_release(
        engine,
        synthetic(20_000),
        tmp_path,
        person_hierarchies(),
        model="distinct-l-diversity",
        k=4,
        l=2,
        sensitive="job",
        max_suppression=0.03,
    )


def test_frequency_table_is_the_same_on_every_engine(engine: Engine, tmp_path: Path) -> None:
    table = synthetic(5_000)
    src = write(table, tmp_path / "source.parquet")
    qis = {c: person_hierarchies()[c] for c in ("sido", "sex", "birth")}
    leaves = [column_leaves(engine, src, c) for c in qis]
    got = frequencies(engine, src, qis, leaves, (0, 0, 0), ["job"])
    cols = [*qis, "job"]
    expected = (
        table.group_by(cols, use_threads=False)
        .aggregate([([], "count_all"), ("id", "min")])  # id is the row number
        .sort_by("id_min")
        .drop_columns(["id_min"])
        .rename_columns([*cols, "__count"])
    )  # combinations in order of first appearance
    assert got.column_names == expected.column_names
    assert got.to_pylist() == expected.to_pylist()
    # each column's values in order of first appearance, the null at its place
    for c, leaf in zip(qis, leaves, strict=True):
        assert leaf.values.to_pylist() == pc.unique(table.column(c)).to_pylist()


def rare_postcodes(rows: int = 20_000, seed: int = 3) -> pa.Table:
    """People with 5-digit postcodes nearly unique (most held by fewer than 5 records) but
    3-digit prefixes held by hundreds."""
    rng = np.random.default_rng(seed)
    table = synthetic(rows, seed)
    codes = [f"{int(p):05d}" for p in rng.integers(40_000, 50_000, rows)]
    return table.set_column(table.column_names.index("postcode"), "postcode", pa.array(codes))


@pytest.mark.parametrize(
    "kw",
    [
        pytest.param({"k": 5, "max_suppression": 0.02}, id="k5"),
        pytest.param({"k": 5, "max_suppression": 0.02, "suppression": "mask"}, id="masked"),
        pytest.param({"k": 4, "max_suppression": 0.0, "loss": "discernibility"}, id="no-supp"),
        pytest.param(
            {"model": "distinct-l-diversity", "k": 4, "l": 2, "sensitive": "job",
             "max_suppression": 0.03},
            id="distinct-l",
        ),
    ],
)  # fmt: skip
def test_a_search_started_above_the_leaves_releases_what_the_full_search_releases(
    engine: Engine, tmp_path: Path, kw: dict[str, Any]
) -> None:
    """The postcodes' leaves are ruled out (their rare values alone exceed the suppression
    limit), so the engine groups the table by 3-digit prefixes: a far shorter frequency table,
    the same optimum and release as the in-memory search over every leaf."""
    qis = {c: person_hierarchies()[c] for c in ("sex", "sido", "postcode")}
    got = same_release(engine, rare_postcodes(), tmp_path, qis, **kw)
    assert got.start["postcode"] == 1 and sum(got.start.values()) == 1
    leaf_rows = pq.read_table(tmp_path / "source.parquet", columns=list(qis)).group_by(list(qis))
    assert got.distinct_combinations < leaf_rows.aggregate([]).num_rows / 2


def test_start_levels_stop_where_a_level_does_not_nest() -> None:
    """A level whose values do not decide a higher level's is no start: the leaves are."""
    leaf = Leaves(pa.array(range(14)), np.ones(14, dtype=np.int64))  # 14 values, 1 record each
    nested = IntervalHierarchy((5, 10), start=0)

    class Crossed:  # a home-made hierarchy whose bins of 5 do not nest in its bins of 7
        height = 4

        def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array:
            width = (1, 5, 7, 100)[level]
            return pc.cast(pc.divide(values, width), pa.string())

    crossed = Crossed()
    kw: dict[str, Any] = {"k": 2, "allowed": 0, "loss": "precision"}
    assert start_levels([leaf], {"c": nested}, **kw) == (1,)
    assert start_levels([leaf], {"c": crossed}, **kw) == (0,)  # [0, 5) spans [0, 7), [7, 14)
    assert start_levels([leaf], {"c": nested}, **{**kw, "loss": "ncp"}) == (0,)
    assert start_levels([leaf], {"c": nested}, **{**kw, "allowed": 14}) == (0,)


def test_refusals_come_before_any_release(tmp_path: Path) -> None:
    from datanuri.engine import EngineSettings, make_engine

    engine = make_engine(EngineSettings(tmp_dir=tmp_path / "engine"))
    src = write(synthetic(500), tmp_path / "source.parquet")
    out = tmp_path / "release.parquet"
    with pytest.raises(InvalidInput, match="nope"):
        anonymize_file(engine, src, out, quasi_identifiers={"nope": PrefixHierarchy()})
    with pytest.raises(InvalidInput):  # 501 > 500 records
        anonymize_file(engine, src, out, quasi_identifiers=person_hierarchies(), k=501)
    assert not out.exists()
