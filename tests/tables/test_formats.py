"""Formats and encodings: each one ingests into the same typed Parquet."""

import datetime as dt
import json

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.tables import IngestResult, Limits, ingest

HEADER = ["측정소명", "측정일", "PM10", "금액"]
ROWS = [
    ["종로구", "2024-01-05", "35", "1,234.5"],
    ["중구", "2024-01-06", "-", "2,000"],
    ["강남구", "2024-01-07", "40", "3"],
]
EXPECTED = {
    "측정소명": ["종로구", "중구", "강남구"],
    "측정일": [dt.date(2024, 1, 5), dt.date(2024, 1, 6), dt.date(2024, 1, 7)],
    "PM10": [35, None, 40],
    "금액": [1234.5, 2000.0, 3.0],
}


def text(delim=","):
    lines = [delim.join(HEADER)] + [
        delim.join(f'"{v}"' if delim in v or "," in v else v for v in r) for r in ROWS
    ]
    return "\n".join(lines) + "\n"


def check(res: IngestResult, out):
    assert res.rows == 3 and res.columns == HEADER
    assert pq.read_table(out).to_pydict() == EXPECTED
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    assert types == {"측정소명": "string", "측정일": "date", "PM10": "integer", "금액": "number"}


@pytest.mark.parametrize(
    "encoding,expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp949", "cp949"),
        ("euc-kr", "cp949"),
        ("utf-16", "utf-16"),
    ],
)
def test_csv_encodings(tmp_path, encoding, expected):
    src = tmp_path / "in"
    src.write_bytes(text().encode(encoding))
    res = ingest(src, tmp_path / "out.parquet", filename="air.csv")
    assert res.encoding == expected and res.format == "csv" and res.delimiter == ","
    check(res, tmp_path / "out.parquet")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_both_byte_orders(tmp_path, codec):
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    src = tmp_path / "in.csv"
    src.write_bytes(bom + text().encode(codec))
    check(ingest(src, tmp_path / "o.parquet"), tmp_path / "o.parquet")


@pytest.mark.parametrize("delim", ["\t", ";", "|"])
def test_delimiters_are_sniffed(tmp_path, delim):
    src = tmp_path / "x.txt"
    src.write_text(text(delim), encoding="utf-8")
    res = ingest(src, tmp_path / "o.parquet")
    assert res.delimiter == delim and res.format == ("tsv" if delim == "\t" else "csv")
    check(res, tmp_path / "o.parquet")


def test_cp949_korean_file_larger_than_the_sample(tmp_path):
    rows = [f"관측소{i},2024년 {i % 12 + 1}월 {i % 28 + 1}일,{i}" for i in range(60_000)]
    src = tmp_path / "big.csv"
    src.write_bytes(("지점,날짜,값\n" + "\n".join(rows) + "\n").encode("cp949"))
    assert src.stat().st_size > 1 << 20
    res = ingest(src, tmp_path / "o.parquet", limits=Limits(batch_rows=7000))
    t = pq.read_table(tmp_path / "o.parquet")
    assert res.encoding == "cp949" and res.rows == 60_000
    assert t.column("날짜")[59_999].as_py() == dt.date(2024, 59_999 % 12 + 1, 59_999 % 28 + 1)
    assert t.column("지점")[12345].as_py() == "관측소12345"


def test_xlsx_named_and_first_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "표지"
    ws.append(["설명"])
    ws.append(["이 파일은 시험용"])
    data = wb.create_sheet("자료")
    data.append(HEADER)
    data.append(["종로구", dt.datetime(2024, 1, 5), 35, 1234.5])
    data.append(["중구", dt.datetime(2024, 1, 6), None, 2000])
    data.append(["강남구", dt.datetime(2024, 1, 7), 40, 3])
    src = tmp_path / "upload"
    wb.save(src)
    res = ingest(src, tmp_path / "o.parquet", filename="air.xlsx", sheet="자료")
    assert res.format == "xlsx" and res.sheet == "자료" and res.encoding is None
    check(res, tmp_path / "o.parquet")
    first = ingest(src, tmp_path / "f.parquet", filename="air.xlsx")
    assert first.sheet == "표지" and first.columns == ["설명"] and first.rows == 1


def test_json_array_and_ndjson(tmp_path):
    recs = [
        {"측정소명": "종로구", "측정일": "2024-01-05", "PM10": 35, "금액": 1234.5},
        {"측정소명": "중구", "측정일": "2024-01-06", "PM10": None, "금액": 2000},
        {"측정소명": "강남구", "측정일": "2024-01-07", "PM10": 40, "금액": 3},
    ]
    (tmp_path / "a.json").write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    res = ingest(tmp_path / "a.json", tmp_path / "a.parquet")
    assert res.format == "json"
    check(res, tmp_path / "a.parquet")
    (tmp_path / "b.ndjson").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8"
    )
    res = ingest(tmp_path / "b.ndjson", tmp_path / "b.parquet")
    assert res.format == "ndjson"
    check(res, tmp_path / "b.parquet")


def test_parquet_input_keeps_types_and_cleans_names(tmp_path):
    t = pa.table({" a ": [1, 2], "": ["x", "y"], "a": [dt.date(2024, 1, 1), None]})
    pq.write_table(t, tmp_path / "in.parquet")
    res = ingest(tmp_path / "in.parquet", tmp_path / "o.parquet", filename="upload.bin")
    assert res.format == "parquet" and res.columns == ["a", "column_2", "a_2"] and res.rows == 2
    out = pq.read_table(tmp_path / "o.parquet")
    assert out.column("a_2").to_pylist() == [dt.date(2024, 1, 1), None]
    assert [f["type"] for f in res.schema["fields"]] == ["integer", "string", "date"]


def test_xlsx_named_csv_is_detected_by_content(tmp_path):
    src = tmp_path / "data.xlsx"
    src.write_text(text(), encoding="utf-8")
    res = ingest(src, tmp_path / "o.parquet")
    assert res.format == "csv"
    check(res, tmp_path / "o.parquet")


def test_csv_named_xlsx_is_read_as_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    for r in [
        HEADER,
        ["종로구", "2024-01-05", 35, 1234.5],
        ["중구", "2024-01-06", None, 2000],
        ["강남구", "2024-01-07", 40, 3],
    ]:
        wb.active.append(r)
    src = tmp_path / "really.csv"
    wb.save(src)
    res = ingest(src, tmp_path / "o.parquet")
    assert res.format == "xlsx"
    check(res, tmp_path / "o.parquet")


def test_a_cp949_file_given_as_utf8_says_so_with_the_line(tmp_path):
    """The header line is read before anything else: a wrong encoding there was a raw
    UnicodeDecodeError (a traceback in the CLI, internal_error from the API)."""
    from datanuri.errors import IngestError
    from datanuri.tables import messages as M

    src = tmp_path / "k.csv"
    src.write_bytes("지역,값\n서울,1\n".encode("cp949"))
    with pytest.raises(IngestError) as e:
        ingest(src, tmp_path / "k.parquet", encoding="utf-8")
    assert e.value.message == M.MSG_BAD_ENCODING.format(
        name="k.csv", encoding="utf-8", where=" in its header line (line 1)"
    )
    assert ingest(src, tmp_path / "auto.parquet").columns == ["지역", "값"]  # auto: CP949


@pytest.mark.parametrize("name", ["bad.pdf", "보고서.hwp", "notes.docx"])
def test_text_named_as_another_kind_of_file_is_not_a_table(tmp_path, name):
    from datanuri.errors import IngestError
    from datanuri.tables import messages as M

    src = tmp_path / name
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    suffix = "." + name.rsplit(".", 1)[1]
    with pytest.raises(IngestError) as e:
        ingest(src, tmp_path / "x.parquet")
    assert e.value.message == M.MSG_NAME_CONTRADICTS.format(name=name, suffix=suffix)
    # choosing the format explicitly is the publisher's override
    assert ingest(src, tmp_path / "y.parquet", format="csv").rows == 1


@pytest.mark.parametrize("name", ["data.csv", "data.TXT", "data", "v1.2", "export.jsonl"])
def test_table_names_and_plain_names_still_read(tmp_path, name):
    src = tmp_path / name
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    assert ingest(src, tmp_path / "o.parquet").columns == ["a", "b"]
