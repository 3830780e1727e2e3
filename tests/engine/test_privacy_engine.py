"""De-identification on the engine: the frequency table, the search on it and the streamed
release equal the in-memory `anonymize` (same levels, suppression, loss; same rows in the same
order with the same values and column types), on DuckDB and Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
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
from datanuri.privacy.scale import anonymize_file, frequencies
from tests.engine.data import REGIONS, synthetic, write
from tests.privacy.adult import adult, hierarchies


def same_release(
    engine: Engine, table: pa.Table, tmp_path: Path, qis: dict[str, Hierarchy], **kw: Any
) -> None:
    """`anonymize_file` on `engine` releases exactly what `anonymize` releases."""
    src = write(table, tmp_path / "source.parquet", row_group_size=8_192)
    source = pq.read_table(src)  # what the engine reads (nullability as stored)
    expected = anonymize(source, quasi_identifiers=qis, **kw)
    out = tmp_path / "release.parquet"
    got = anonymize_file(engine, src, out, quasi_identifiers=qis, **kw)
    assert got.levels == expected.levels
    assert (got.suppressed, got.loss) == (expected.suppressed, expected.loss)
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
    cols = ["sido", "sex", "birth", "job"]
    got = frequencies(engine, src, cols, source_columns=table.column_names)
    expected = (
        table.group_by(cols, use_threads=False)
        .aggregate([([], "count_all"), ("id", "min")])  # id is the row number
        .sort_by("id_min")
        .drop_columns(["id_min"])
        .rename_columns([*cols, "__count"])
    )  # combinations in order of first appearance
    assert got.column_names == expected.column_names
    assert got.to_pylist() == expected.to_pylist()


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
