"""Row problems with line numbers; strict vs lenient; bad inputs."""

import io
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.errors import IngestError
from datanuri.tables import Limits, ingest
from datanuri.tables import messages as M


def ragged_file(tmp_path):
    src = tmp_path / "r.csv"
    src.write_text(
        'a,b,c\n1,2,3\n4,5\n"multi\nline",7,8\n\n9,10,11,12\n13,14,15\n', encoding="utf-8"
    )
    return src


def test_ragged_rows_lenient_report_lines_and_skip(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(ragged_file(tmp_path), out)
    assert res.rows == 3 and res.problem_count == 2
    assert [(p.line, p.kind) for p in res.problems] == [(3, "column_count"), (7, "column_count")]
    assert pq.read_table(out).column("a").to_pylist() == ["1", "multi\nline", "13"]


def test_ragged_rows_strict_raise_with_lines_and_leave_nothing(tmp_path):
    out = tmp_path / "o.parquet"
    with pytest.raises(IngestError) as e:
        ingest(ragged_file(tmp_path), out, mode="strict")
    assert e.value.details["problem_count"] == 2
    assert [p["line"] for p in e.value.details["problems"]] == [3, 7]
    assert "line 3" in e.value.message
    assert list(tmp_path.iterdir()) == [tmp_path / "r.csv"]


def mixed_file(tmp_path, n=500):
    lines = ["id,value,note"]
    for i in range(n):
        v = "12-3" if i in (120, 377) else str(i)  # digits: a wrong value, not a missing marker
        note = '"two\nlines"' if i == 50 else "ok"
        lines.append(f"{i},{v},{note}")
    src = tmp_path / "m.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_type_problems_lenient_keep_text_and_name_lines(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(mixed_file(tmp_path), out, limits=Limits(batch_rows=100))
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    assert types["id"] == "integer" and types["value"] == "string"
    assert res.problem_count == 2
    # row i is on line i+2, plus one for the quoted newline in row 50
    assert [(p.line, p.column, p.kind, p.value) for p in res.problems] == [
        (123, "value", "type", "12-3"),
        (380, "value", "type", "12-3"),
    ]
    assert pq.read_table(out).column("value")[120].as_py() == "12-3"


def test_type_problems_strict_raise(tmp_path):
    with pytest.raises(IngestError) as e:
        ingest(mixed_file(tmp_path), tmp_path / "o.parquet", mode="strict")
    assert e.value.details["problem_count"] == 2 and e.value.details["problems"][0]["line"] == 123


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(IngestError) as e:
        ingest(tmp_path / "e.csv", tmp_path / "o.parquet")
    assert e.value.message == errors.MSG_EMPTY_FILE.format(name="e.csv")
    (tmp_path / "h.csv").write_text("이름,값\n", encoding="utf-8")
    res = ingest(tmp_path / "h.csv", tmp_path / "o.parquet")
    assert res.rows == 0 and res.columns == ["이름", "값"]
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 0


def test_binary_garbage(tmp_path):
    import random

    rnd = random.Random(7)
    (tmp_path / "g.csv").write_bytes(bytes(rnd.randrange(256) for _ in range(5000)))
    with pytest.raises(IngestError) as e:
        ingest(tmp_path / "g.csv", tmp_path / "o.parquet")
    assert e.value.message in (
        errors.MSG_BINARY_FILE.format(name="g.csv"),
        M.MSG_UNKNOWN_ENCODING.format(name="g.csv"),
    )
    assert not (tmp_path / "o.parquet").exists()


def test_old_xls_and_gzip_are_named(tmp_path):
    (tmp_path / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(IngestError, match="old-style Excel"):
        ingest(tmp_path / "a.xls", tmp_path / "o.parquet")
    import gzip

    (tmp_path / "b.csv").write_bytes(gzip.compress(b"a,b\n1,2\n"))
    with pytest.raises(IngestError, match="compressed"):
        ingest(tmp_path / "b.csv", tmp_path / "o.parquet")


def test_explicit_format_that_contradicts_the_content(tmp_path):
    pq.write_table(pa.table({"a": [1]}), tmp_path / "p.csv")
    with pytest.raises(IngestError, match="given as csv but its content is parquet"):
        ingest(tmp_path / "p.csv", tmp_path / "o.parquet", format="csv")


def test_cell_larger_than_the_limit(tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("a,b\n1," + "x" * 5000 + "\n2,y\n", encoding="utf-8")
    with pytest.raises(IngestError) as e:
        ingest(src, tmp_path / "o.parquet", limits=Limits(max_cell_bytes=1000))
    assert "larger than 1000 bytes" in e.value.message
    src.write_text(
        'a,b\n1,"' + "x" * (3 << 20) + '"\n', encoding="utf-8"
    )  # larger than the read block too
    with pytest.raises(IngestError, match="larger than 1000 bytes"):
        ingest(src, tmp_path / "o.parquet", limits=Limits(max_cell_bytes=1000))
    assert not (tmp_path / "o.parquet").exists()


def zip_bomb(path, size):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * size)


def test_xlsx_zip_bomb_is_refused_before_opening(tmp_path):
    zip_bomb(tmp_path / "bomb.xlsx", 20 << 20)  # 20 MB of zeros, ~1000:1
    with pytest.raises(IngestError, match="would expand"):
        ingest(tmp_path / "bomb.xlsx", tmp_path / "o.parquet")
    zip_bomb(tmp_path / "big.xlsx", 1 << 16)
    with pytest.raises(IngestError, match="limit of 1000 bytes"):
        ingest(
            tmp_path / "big.xlsx",
            tmp_path / "o.parquet",
            limits=Limits(max_xlsx_uncompressed_bytes=1000),
        )


def test_truncated_xlsx_and_parquet(tmp_path):
    wb = openpyxl.Workbook()
    for i in range(200):
        wb.active.append([i, f"값{i}"])
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "cut.xlsx").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(IngestError, match="cut off or damaged"):
        ingest(tmp_path / "cut.xlsx", tmp_path / "o.parquet")
    pq.write_table(pa.table({"a": list(range(1000))}), tmp_path / "full.parquet")
    data = (tmp_path / "full.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) - 20])
    with pytest.raises(IngestError, match="cut off or damaged"):
        ingest(tmp_path / "cut.parquet", tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()


def test_missing_sheet_lists_the_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "자료"
    wb.active.append(["a"])
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(IngestError, match="Its sheets are: 자료"):
        ingest(tmp_path / "w.xlsx", tmp_path / "o.parquet", sheet="없음")


def test_utf8_guess_wrong_after_the_sample_falls_back_to_cp949(tmp_path):
    body = "a,b\n" + "x,1\n" * 400_000  # > 1 MB of ASCII before the first Korean byte
    src = tmp_path / "late.csv"
    src.write_bytes(body.encode() + "가나다,2\n".encode("cp949"))
    res = ingest(src, tmp_path / "o.parquet")
    assert res.encoding == "cp949"
    assert pq.read_table(tmp_path / "o.parquet").column("a")[-1].as_py() == "가나다"


def test_ndjson_non_object_and_bad_line(tmp_path):
    src = tmp_path / "n.ndjson"
    src.write_text('{"a": 1}\n[1, 2]\n{"a": 3}\n', encoding="utf-8")
    res = ingest(src, tmp_path / "o.parquet")
    assert res.rows == 2 and [(p.line, p.kind) for p in res.problems] == [(2, "record")]
    src.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    with pytest.raises(IngestError, match="line 2"):
        ingest(src, tmp_path / "o.parquet")
