"""UCI Adult in the standard anonymisation setting (rows with missing values dropped: 30,162),
with hierarchies written for these tests (same heights as the ARX benchmark: a 4,320-node lattice)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from datanuri.privacy.hierarchies import TableHierarchy, age_hierarchy
from tests.conftest import TESTDATA

ADULT = TESTDATA / "adult" / "adult.data"
DATA = Path(__file__).parent / "data"
COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
QI = ["age", "education", "marital-status", "native-country", "race", "sex", "workclass", "income"]


@lru_cache(maxsize=1)
def adult() -> pa.Table:
    t = pacsv.read_csv(
        ADULT,
        read_options=pacsv.ReadOptions(column_names=COLUMNS),
    )
    # values carry a leading space in the raw file
    for i, name in enumerate(t.column_names):
        if pa.types.is_string(t.schema.field(i).type):
            col = pc.utf8_trim_whitespace(t.column(name))
            t = t.set_column(
                i, name, pc.if_else(pc.equal(col, "?"), pa.scalar(None, pa.string()), col)
            )
    t = t.drop_null()
    assert t.num_rows == 30162
    return t


def hierarchies(columns=QI):
    out = {}
    for c in columns:
        out[c] = age_hierarchy() if c == "age" else TableHierarchy.from_csv(DATA / f"adult_{c}.csv")
    return out
