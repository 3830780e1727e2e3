"""A typical Korean agency spreadsheet, written by code: a title row, a unit row, a blank row,
a two-row header (merged "자전거도로" over its kinds), 17 시도 rows and a 합계 row at the end."""

from __future__ import annotations

from pathlib import Path

TITLE = "2023년 시도별 자전거도로 현황"
UNIT = "(단위: km)"
SIDO = [
    "서울특별시",
    "부산광역시",
    "대구광역시",
    "인천광역시",
    "광주광역시",
    "대전광역시",
    "울산광역시",
    "세종특별자치시",
    "경기도",
    "강원특별자치도",
    "충청북도",
    "충청남도",
    "전북특별자치도",
    "전라남도",
    "경상북도",
    "경상남도",
    "제주특별자치도",
]
COLUMNS = ["시도", "노선수", "자전거도로 / 전용도로", "자전거도로 / 겸용도로", "자전거도로 / 합계"]
# the sheet's own row numbers: title 1, unit 2, blank 3, header 4-5, data 6-22, total 23
HEADER_ROWS = (4, 5)
FIRST_DATA_ROW = 6
TOTAL_ROW = 23


def rows() -> list[tuple[str, int, float, float, float]]:
    """The data rows (what the published table must hold)."""
    out = []
    for i, sido in enumerate(SIDO):
        only = round(10.5 + i * 3.25, 2)
        shared = round(120.0 + i * 17.5, 2)
        out.append((sido, 40 + i, only, shared, round(only + shared, 2)))
    return out


def write_agency_xlsx(path: Path, *, measured_gap: bool = False) -> Path:
    """Write the workbook; `measured_gap` writes "측정불가" in one 전용도로 cell (row 9)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "자전거도로"
    ws.append([TITLE])
    ws.merge_cells("A1:E1")
    ws.append([None, None, None, None, UNIT])
    ws.append([])
    ws.append(["시도", "노선수", "자전거도로", None, None])
    ws.merge_cells("C4:E4")
    ws.append([None, None, "전용도로", "겸용도로", "합계"])
    data = rows()
    for k, r in enumerate(data):
        cells = list(r)
        if measured_gap and k == 3:
            cells[2] = "측정불가"
        ws.append(cells)
    ws.append(
        [
            "합계",
            sum(r[1] for r in data),
            round(sum(r[2] for r in data), 2),
            round(sum(r[3] for r in data), 2),
            round(sum(r[4] for r in data), 2),
        ]
    )
    wb.save(path)
    return path


def write_agency_csv(path: Path, encoding: str = "cp949") -> Path:
    """The same table as a CSV export (title lines, one header row, a 합계 line)."""
    import csv

    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow([TITLE, "", "", "", ""])
        w.writerow(["", "", "", "", UNIT])
        w.writerow([])
        w.writerow(["시도", "노선수", "전용도로", "겸용도로", "합계"])
        data = rows()
        for r in data:
            w.writerow(r)
        w.writerow(["합계", sum(r[1] for r in data), "", "", ""])
    return path
