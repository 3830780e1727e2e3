"""Wide tables: a column limit at the header (configurable, clear error) and a profile whose cost
grows with the columns linearly (each column read once with the footer parsed once; the
benchmark `benchmarks/wide_tables.py` measures it). Here: the limit, and that the one-read
profile equals each column profiled alone."""

import datetime as dt
import random

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.errors import IngestError
from datanuri.tables import Limits, ingest
from datanuri.tables import messages as M
from datanuri.tables.profile import profile_parquet


def wide_csv(path, columns, rows=3):
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(f"열{i}" for i in range(columns)) + "\n")
        for r in range(rows):
            f.write(",".join(str(r * i) for i in range(columns)) + "\n")
    return path


def test_a_csv_wider_than_the_limit_is_refused_at_the_header(tmp_path):
    src = wide_csv(tmp_path / "wide.csv", 20_001)
    with pytest.raises(IngestError) as e:
        ingest(src, tmp_path / "out.parquet")
    assert e.value.message == M.MSG_TOO_MANY_COLUMNS.format(
        name="wide.csv", columns=20_001, limit=2_000
    )
    assert e.value.details == {"name": "wide.csv", "columns": 20_001, "limit": 2_000}
    assert not (tmp_path / "out.parquet").exists()


def test_the_limit_is_the_configured_one(tmp_path):
    src = wide_csv(tmp_path / "w.csv", 6)
    with pytest.raises(IngestError, match="6 columns; this server takes at most 5"):
        ingest(src, tmp_path / "a.parquet", limits=Limits(max_columns=5))
    assert ingest(src, tmp_path / "b.parquet", limits=Limits(max_columns=6)).columns == [
        f"열{i}" for i in range(6)
    ]


def test_an_xlsx_header_reaching_column_xfd_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["지역", "값"])
    ws["XFD1"] = "끝"
    ws.append(["서울", 1])
    wb.save(tmp_path / "xfd.xlsx")
    with pytest.raises(IngestError, match="16,384 columns"):
        ingest(tmp_path / "xfd.xlsx", tmp_path / "x.parquet")


def test_a_far_cell_in_a_data_row_is_a_row_problem_not_16384_columns(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["지역", "값"])
    for i in range(50):
        ws.append([f"r{i}", i])
    ws["XFD5"] = "x"
    wb.save(tmp_path / "far.xlsx")
    res = ingest(tmp_path / "far.xlsx", tmp_path / "f.parquet")
    assert res.columns == ["지역", "값"] and res.rows == 49
    assert [(p.line, p.kind) for p in res.problems] == [(5, "column_count")]


def test_the_one_read_profile_equals_each_column_profiled_alone(tmp_path):
    rng = random.Random(7)
    n = 200
    cols = {}
    for i in range(60):
        kind = i % 4
        if kind == 0:
            cols[f"i{i}"] = pa.array([rng.choice([None, rng.randint(-50, 50)]) for _ in range(n)])
        elif kind == 1:
            cols[f"f{i}"] = pa.array([rng.random() * 100 for _ in range(n)])
        elif kind == 2:
            cols[f"s{i}"] = pa.array([rng.choice(["가", "나", "다", None]) for _ in range(n)])
        else:
            cols[f"d{i}"] = pa.array(
                [dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 400)) for _ in range(n)]
            )
    table = pa.table(cols)
    pq.write_table(table, tmp_path / "wide.parquet", row_group_size=64)
    wide = profile_parquet(tmp_path / "wide.parquet")
    assert wide["rows"] == n and len(wide["columns"]) == 60
    for name, got in zip(table.column_names, wide["columns"], strict=True):
        pq.write_table(table.select([name]), tmp_path / "one.parquet", row_group_size=64)
        alone = profile_parquet(tmp_path / "one.parquet")["columns"][0]
        assert got == alone, name
