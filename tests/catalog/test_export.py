"""Downloads for the people who open them: Excel-friendly CSV (UTF-8 with BOM, CP949), XLSX,
and formula injection neutralised in every spreadsheet format while Parquet and JSON stay exact."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.catalog import export

RISKY = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\tlead", "\rlead", '=HYPERLINK("x")']
SAFE = ["서울특별시 종로구", "a=b", "보통", None, "", "1-2"]


@pytest.fixture
def parquet(tmp_path):
    n = len(RISKY) + len(SAFE)
    table = pa.table(
        {
            "text": RISKY + SAFE,
            "amount": pa.array([-5, 3, -1, 0, 7, 8, 9, 10, 11, 12, 13, None, -14], pa.int64()),
            "code": pa.array([1234567890123456789] + [42] * (n - 1), pa.int64()),
            "when": pa.array(
                [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)] * n, pa.timestamp("us", tz="UTC")
            ),
            "tags": pa.array([["a", "b"]] * n, pa.list_(pa.string())),
        }
    )
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    return path, table


def body(path, fmt):
    return b"".join(export.stream(path, fmt, batch_rows=4))


def test_csv_has_a_bom_and_neutralises_formulas(parquet):
    path, table = parquet
    data = body(path, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "amount", "code", "when", "tags"]
    texts = [r[0] for r in rows[1:]]
    assert texts[: len(RISKY)] == ["'" + v for v in RISKY]  # every risky start, quoted
    assert texts[len(RISKY) :] == ["서울특별시 종로구", "a=b", "보통", "", "", "1-2"]
    # numbers are numbers: a negative amount is not text and is left as it is
    assert [r[1] for r in rows[1:4]] == ["-5", "3", "-1"]
    assert rows[1][2] == "1234567890123456789"


def test_csv_batches_join_into_one_table_with_the_bom_once(parquet):
    path, table = parquet
    data = body(path, "csv")
    assert data.count(b"\xef\xbb\xbf") == 1 and data.count(b'"text"') == 1
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == table.num_rows + 1


def test_cp949_csv_opens_in_korean_windows(tmp_path):
    path = tmp_path / "k.parquet"
    pq.write_table(pa.table({"지역": ["서울특별시", "=부산", "제주 🍊"], "값": [1, 2, 3]}), path)
    data = body(path, "csv-cp949")
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really CP949, not UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("cp949"), newline="")))
    assert rows == [["지역", "값"], ["서울특별시", "1"], ["'=부산", "2"], ["제주 ?", "3"]]


def test_xlsx_keeps_values_and_stores_risky_text_as_text(parquet):
    path, table = parquet
    data = body(path, "xlsx")
    # the sheet's XML, read without openpyxl: no cell is a formula
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("text", "amount", "code", "when", "tags")
    assert [r[0] for r in rows[1 : len(RISKY) + 1]] == RISKY  # exact text, no apostrophe
    assert ws.cell(row=2, column=1).data_type == "s"
    assert [r[1] for r in rows[1:4]] == [-5, 3, -1]  # numbers stay numbers
    assert rows[1][2] == "1234567890123456789"  # beyond Excel's 15 digits: text, exact
    assert rows[2][2] == 42
    assert rows[1][3] == datetime(2026, 1, 2, 3, 4, 5)  # UTC, without a zone (Excel has none)
    assert json.loads(rows[1][4]) == ["a", "b"]


def test_xlsx_refuses_a_sheet_excel_cannot_hold(tmp_path, monkeypatch):
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [i] for i in range(30)}), path)
    monkeypatch.setattr(export, "XLSX_MAX_COLUMNS", 20)
    with pytest.raises(errors.InvalidInput, match=r"30 columns.*CSV or Parquet"):
        export.stream(path, "xlsx")


def test_parquet_and_json_stay_exact(parquet):
    path, table = parquet
    assert body(path, "parquet") == path.read_bytes()
    rows = json.loads(body(path, "json"))
    assert [r["text"] for r in rows] == RISKY + SAFE


def test_file_names_and_unknown_formats():
    assert export.filename("air", 3, "csv") == "air-v3.csv"
    assert export.filename("air", 3, "csv-cp949") == "air-v3-cp949.csv"
    assert export.filename("air", 3, "xlsx") == "air-v3.xlsx"
    with pytest.raises(errors.InvalidInput, match="csv-cp949, xlsx"):
        export.check_format("xls")


def test_an_empty_version_downloads_as_its_header(parquet, tmp_path):
    path, table = parquet
    empty = tmp_path / "empty.parquet"
    pq.write_table(table.slice(0, 0), empty)
    data = body(empty, "csv")
    assert data.decode("utf-8-sig").splitlines() == ['"text","amount","code","when","tags"']
