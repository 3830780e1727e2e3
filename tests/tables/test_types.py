"""Type inference, null tokens, leading zeros and header clean-up."""

import datetime as dt

import pyarrow.parquet as pq

from datanuri.tables import ingest
from datanuri.tables.headers import clean_names


def run(tmp_path, columns: dict[str, list[str]], **kw):
    names = list(columns)
    n = len(next(iter(columns.values())))
    lines = [",".join(names)] + [",".join(f'"{columns[c][i]}"' for c in names) for i in range(n)]
    src = tmp_path / "t.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = ingest(src, tmp_path / "t.parquet", **kw)
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    return res, types, pq.read_table(tmp_path / "t.parquet").to_pydict()


def test_inferred_types_and_values(tmp_path):
    res, types, data = run(
        tmp_path,
        {
            "int": ["1", "-2", "1,234", "NA"],
            "num": ["1.5", "1,234.5", "-3", "N/A"],
            "iso": ["2024-01-05", "2024-12-31", "null", "2024-02-29"],
            "dot": ["2024.01.05", "2024.1.6", "", "2024. 3. 7."],
            "slash": ["2024/01/05", "2024/01/06", "2024/01/07", "-"],
            "compact": ["20240105", "20240106", "NULL", "20241231"],
            "korean": ["2024년 1월 5일", "2024년 12월 25일", "2024년1월6일", ""],
            "dt": ["2024-01-05 13:45:00", "2024-01-05T13:45:00", "2024-01-06 01:02", "-"],
            "yn": ["Y", "N", "y", ""],
            "tf": ["true", "FALSE", "True", "false"],
            "ko": ["예", "아니오", "예", "-"],
        },
    )
    assert types == {
        "int": "integer",
        "num": "number",
        "iso": "date",
        "dot": "date",
        "slash": "date",
        "compact": "date",
        "korean": "date",
        "dt": "datetime",
        "yn": "boolean",
        "tf": "boolean",
        "ko": "boolean",
    }
    assert data["int"] == [1, -2, 1234, None]
    assert data["num"] == [1.5, 1234.5, -3.0, None]
    assert data["iso"] == [dt.date(2024, 1, 5), dt.date(2024, 12, 31), None, dt.date(2024, 2, 29)]
    assert data["dot"] == [dt.date(2024, 1, 5), dt.date(2024, 1, 6), None, dt.date(2024, 3, 7)]
    assert data["compact"][3] == dt.date(2024, 12, 31)
    assert data["korean"] == [dt.date(2024, 1, 5), dt.date(2024, 12, 25), dt.date(2024, 1, 6), None]
    assert data["dt"] == [
        dt.datetime(2024, 1, 5, 13, 45),
        dt.datetime(2024, 1, 5, 13, 45),
        dt.datetime(2024, 1, 6, 1, 2),
        None,
    ]
    assert data["yn"] == [True, False, True, None]
    assert data["tf"] == [True, False, True, False]
    assert data["ko"] == [True, False, True, None]
    assert res.problem_count == 0


def test_codes_with_leading_zeros_stay_text(tmp_path):
    _, types, data = run(
        tmp_path,
        {
            "code": ["00123", "12345", "00001"],
            "post": ["03187", "13529", "48058"],
            "phone": ["010-1234-5678", "02-123-4567", "031-000-0000"],
            "zero": ["0", "10", "0"],
        },
    )
    assert types["code"] == types["post"] == types["phone"] == "string"
    assert data["code"] == ["00123", "12345", "00001"] and data["post"][0] == "03187"
    assert types["zero"] == "integer" and data["zero"] == [0, 10, 0]


def test_yyyymmdd_only_when_every_value_is_a_date(tmp_path):
    _, types, data = run(
        tmp_path,
        {
            "notdate": ["20240105", "20241305", "20240106"],
            "date": ["20240105", "20240229", "19991231"],
        },
    )
    assert types["notdate"] == "integer" and data["notdate"] == [20240105, 20241305, 20240106]
    assert types["date"] == "date" and data["date"][1] == dt.date(2024, 2, 29)
    _, types, _ = run(tmp_path, {"x": ["20230229", "20240101"]})  # 2023 is not a leap year
    assert types["x"] == "integer"


def test_boolean_needs_one_vocabulary_and_both_letters(tmp_path):
    _, types, data = run(
        tmp_path,
        {
            "onlyN": ["N", "N", "N"],
            "mixed": ["Y", "false", "N"],
            "grade": ["A", "B", "N"],
            "allnull": ["", "-", "NA"],
        },
    )
    assert types == {"onlyN": "string", "mixed": "string", "grade": "string", "allnull": "string"}
    assert data["onlyN"] == ["N", "N", "N"] and data["allnull"] == [None, None, None]


def test_invalid_dates_are_not_dates(tmp_path):
    _, types, data = run(
        tmp_path, {"d": ["2024-01-05", "2024-02-30"], "k": ["2024년 2월 30일", "2024년 1월 1일"]}
    )
    assert types == {"d": "string", "k": "string"}
    assert data["d"] == ["2024-01-05", "2024-02-30"]


def test_header_cleanup():
    assert clean_names([" 이름 ", "", "이름", None, "a  b", "이름"]) == [
        "이름",
        "column_2",
        "이름_2",
        "column_4",
        "a b",
        "이름_3",
    ]


def test_header_cleanup_in_a_file(tmp_path):
    src = tmp_path / "h.csv"
    src.write_text(" 이름 ,,이름,값\n가,1,나,2\n", encoding="utf-8")
    res = ingest(src, tmp_path / "o.parquet")
    assert res.columns == ["이름", "column_2", "이름_2", "값"]
    assert pq.read_table(tmp_path / "o.parquet").column_names == res.columns
    assert res.schema["fields"][0]["title"] == " 이름 "
