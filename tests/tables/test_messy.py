"""Messy agency files: title and unit rows above the header, multi-row headers, total rows,
missing-value markers in numeric columns, and exact counts of what lenient mode did."""

import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.tables import Limits, ingest
from datanuri.tables.infer import NULL_TOKEN_SHARE
from datanuri.tables.layout import find_header, is_total_label
from tests.tables.agency import (
    COLUMNS,
    FIRST_DATA_ROW,
    HEADER_ROWS,
    SIDO,
    TOTAL_ROW,
    rows,
    write_agency_csv,
    write_agency_xlsx,
)


def test_the_agency_workbook_publishes_its_data_rows_under_the_joined_header(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(write_agency_xlsx(tmp_path / "bike.xlsx"), out)
    assert res.columns == COLUMNS
    assert res.rows == len(SIDO)
    table = pq.read_table(out)
    assert table.column("시도").to_pylist() == SIDO
    assert [r[2] for r in rows()] == table.column("자전거도로 / 전용도로").to_pylist()
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    assert types["노선수"] == "integer" and types["자전거도로 / 합계"] == "number"
    # the 합계 row is left out and reported on the sheet's own row, never called kept
    assert [(p.line, p.kind, p.value) for p in res.problems] == [(TOTAL_ROW, "total_row", "합계")]
    assert "합계" in res.problems[0].message_ko and "left out" in res.problems[0].message
    o = res.outcome
    assert (o.dropped_rows, o.total_rows, o.kept_as_null, o.kept_as_text) == (1, 1, 0, 0)
    assert o.header_lines == HEADER_ROWS


def test_keep_totals_keeps_the_total_row_as_data(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(write_agency_xlsx(tmp_path / "bike.xlsx"), out, keep_totals=True)
    assert res.rows == len(SIDO) + 1 and res.problem_count == 0
    assert pq.read_table(out).column("시도").to_pylist()[-1] == "합계"


@pytest.mark.parametrize("opts", [{"header_row": 4}, {"skip_rows": 3}])
def test_a_named_header_row_is_used_and_its_lower_part_joined(tmp_path, opts):
    res = ingest(write_agency_xlsx(tmp_path / "bike.xlsx"), tmp_path / "o.parquet", **opts)
    assert res.columns == COLUMNS and res.rows == len(SIDO)


def test_a_named_header_row_on_the_second_header_row_takes_it_alone(tmp_path):
    res = ingest(write_agency_xlsx(tmp_path / "bike.xlsx"), tmp_path / "o.parquet", header_row=5)
    assert res.columns[2:] == ["전용도로", "겸용도로", "합계"]
    assert res.rows == len(SIDO)


def test_an_empty_header_row_and_contradicting_options_are_refused(tmp_path):
    src = write_agency_xlsx(tmp_path / "bike.xlsx")
    with pytest.raises(errors.IngestError) as e:
        ingest(src, tmp_path / "o.parquet", header_row=3)
    assert "Row 3" in e.value.message
    with pytest.raises(errors.InvalidInput):
        ingest(src, tmp_path / "o.parquet", header_row=4, skip_rows=1)
    with pytest.raises(errors.InvalidInput):
        ingest(src, tmp_path / "o.parquet", header_row=0)
    js = tmp_path / "a.json"
    js.write_text('[{"a": 1}]', encoding="utf-8")
    with pytest.raises(errors.IngestError):
        ingest(js, tmp_path / "o.parquet", header_row=2)


def test_the_agency_csv_in_cp949_finds_its_header_and_total_line(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(write_agency_csv(tmp_path / "bike.csv"), out)
    assert res.encoding == "cp949"
    assert res.columns == ["시도", "노선수", "전용도로", "겸용도로", "합계"]
    assert res.rows == len(SIDO)
    assert pq.read_table(out).column("시도").to_pylist() == SIDO
    # title 1, unit 2, blank 3, header 4, data 5-21, total 22
    assert [(p.line, p.kind) for p in res.problems] == [(22, "total_row")]
    assert res.outcome.header_lines == (4, 4)


@pytest.mark.parametrize("batch_rows", [65_536, 3])
def test_csv_problem_lines_count_the_title_rows(tmp_path, batch_rows):
    src = tmp_path / "t.csv"
    body = "".join(f"구{i},{i}\n" for i in range(1, 11))
    src.write_text("2023년 현황,\n\n구분,값\n" + body + "구11,1,2\n 합 계 ,55\n", encoding="utf-8")
    res = ingest(src, tmp_path / "o.parquet", limits=Limits(batch_rows=batch_rows))
    assert res.columns == ["구분", "값"] and res.rows == 10
    assert [(p.line, p.kind) for p in res.problems] == [(14, "column_count"), (15, "total_row")]
    assert (res.outcome.dropped_rows, res.outcome.total_rows) == (2, 1)


def test_a_csv_total_after_a_dash_cell_is_found_by_the_reader_and_the_locator(tmp_path):
    src = tmp_path / "d.csv"
    body = "".join(f"서울,구{i},{i}\n" for i in range(1, 6))
    src.write_text("시도,구,값\n" + body + "-,소계,15\n부산,구6,6\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    res = ingest(src, out)
    assert res.rows == 6 and pq.read_table(out).column("구").to_pylist()[-1] == "구6"
    assert [(p.line, p.kind, p.value) for p in res.problems] == [(7, "total_row", "소계")]


def test_a_missing_value_marker_keeps_the_column_numeric(tmp_path):
    out = tmp_path / "o.parquet"
    res = ingest(write_agency_xlsx(tmp_path / "bike.xlsx", measured_gap=True), out)
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    assert types["자전거도로 / 전용도로"] == "number"
    col = pq.read_table(out).column("자전거도로 / 전용도로").to_pylist()
    assert col[3] is None and col[4] == rows()[4][2]
    marker = [p for p in res.problems if p.kind == "missing_value"]
    assert [(p.line, p.column, p.value) for p in marker] == [
        (FIRST_DATA_ROW + 3, "자전거도로 / 전용도로", "측정불가")
    ]
    assert "null" in marker[0].message and "빈 값" in marker[0].message_ko
    assert (res.outcome.kept_as_null, res.outcome.kept_as_text) == (1, 0)
    assert res.problem_count == 2  # the marker and the total row


def _column_file(tmp_path, values):
    src = tmp_path / "v.csv"
    src.write_text("측정소,값\n" + "".join(f"s{i},{v}\n" for i, v in enumerate(values)), "utf-8")
    return src


def test_markers_up_to_the_share_become_nulls_more_keep_text(tmp_path):
    n = 200
    few = int(n * NULL_TOKEN_SHARE)
    markers = (["측정불가", "해당없음", "…", "x"] * few)[:few]
    values = [str(i * 1.5) for i in range(n - few)] + markers
    res = ingest(_column_file(tmp_path, values), tmp_path / "o.parquet")
    assert res.schema["fields"][1]["type"] == "number"
    assert res.outcome.kept_as_null == few == res.problem_count
    assert {p.kind for p in res.problems} == {"missing_value"}
    values = [str(i) for i in range(n - 2 * few)] + ["측정불가"] * (2 * few)
    res = ingest(_column_file(tmp_path, values), tmp_path / "o.parquet")
    assert res.schema["fields"][1]["type"] == "string"


def test_values_with_digits_are_not_markers(tmp_path):
    values = [str(i) for i in range(300)] + ["12a"]
    res = ingest(_column_file(tmp_path, values), tmp_path / "o.parquet")
    assert res.schema["fields"][1]["type"] == "string"
    assert [(p.kind, p.value) for p in res.problems] == [("type", "12a")]
    assert res.outcome.kept_as_text == 1


def test_find_header_cases():
    assert find_header([["a", "b"], ["1", "2"]]).first == 0
    text_only = [["이름", "주소"], ["가", "서울"], ["나", "부산"]]
    assert find_header(text_only).first == 0
    # group labels over a full second row (years spanning their columns)
    grouped = [
        ["현황"],
        [None, "2023", None, None, "2022", None, None],
        ["구분", "남", "여", "계", "남", "여", "계"],
        ["가", "1", "2", "3", "4", "5", "9"],
        ["나", "1", "2", "3", "4", "5", "9"],
    ]
    h = find_header(grouped)
    assert (h.first, h.count) == (1, 2)
    assert h.names == [
        "구분",
        "2023 / 남",
        "2023 / 여",
        "2023 / 계",
        "2022 / 남",
        "2022 / 여",
        "2022 / 계",
    ]
    # a "기준일" line with two cells is preamble, not a header part
    dated = [
        ["작성기준일", "2023-12-31"],
        [],
        ["시도", "구간수", "연장", "비고"],
        ["서울", "1", "2.5", "x"],
    ]
    h = find_header(dated)
    assert (h.first, h.count, h.names) == (2, 1, ["시도", "구간수", "연장", "비고"])
    narrow = [["작성일", "2024-01-31"], ["구분", "값", "비고"], ["가", "1", "x"], ["나", "2", "y"]]
    assert find_header(narrow).first == 1
    # a header with an unnamed column stays the header above text-only rows
    assert find_header([["a", "", "c", "d"], ["w", "x", "y", "z"], ["q", "r", "s", "t"]]).first == 0
    assert find_header([[None], []]) is None


def test_total_labels():
    assert all(is_total_label(v) for v in ("합계", "합 계", "총계", "계", "소계", "Total", "TOTAL"))
    assert not any(is_total_label(v) for v in ("서울특별시", "계룡시", "합계액", None, ""))
