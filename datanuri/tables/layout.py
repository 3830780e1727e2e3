"""Where a spreadsheet's table starts: header-row detection and total rows (pure functions).

Agency spreadsheets put a title ("2023년 시도별 자전거도로 현황"), a unit line ("(단위: km)") and
blank rows above the header, sometimes split the header over two or three rows (merged "인구"
over "남" and "여"), and end with a 합계 row. `find_header` looks at the first rows only (plain
lists of cell texts) and says which rows hold the header and what the columns are called;
`is_total_label` says whether a row's first text cell marks a total.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

SAMPLE_ROWS = 50  # rows a reader hands to `find_header`
MAX_HEADER_ROWS = 3  # a header split over more rows than this is not recognised
BELOW_ROWS = 10  # data rows looked at under a header candidate
HEADER_JOIN = " / "  # "인구 / 남"
TOTAL_LABELS = frozenset(
    {"합계", "총계", "계", "소계", "총합계", "total", "grandtotal", "subtotal"}
)

_NUMBER_RE = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d*)?([eE][+-]?\d+)?%?$|^[+-]?\.\d+$")
_DATE_RE = re.compile(r"^\d{4}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}")
_YEAR_RE = re.compile(r"^(19|20)\d\d(년|년도)?$")
SPACE_RE = re.compile(r"[\t\n\f\r ]+")  # the spaces RE2's \s matches, for Arrow and Python alike
_BLANKISH = frozenset({"", "-", "NA", "N/A", "null", "NULL"})

Row = Sequence[str | None]


@dataclass(frozen=True)
class HeaderLayout:
    """The header found in a sheet: its first row and how many rows it spans (0-based indexes
    into the rows looked at), and the column names (parts of a multi-row header joined)."""

    first: int
    count: int
    names: list[str]

    @property
    def data_start(self) -> int:
        """Index of the first row after the header."""
        return self.first + self.count


def _text(v: str | None) -> str:
    return "" if v is None else " ".join(str(v).split())


def _filled(row: Row) -> list[int]:
    """Indexes of the row's non-empty cells."""
    return [i for i, v in enumerate(row) if _text(v) not in ("",)]


def _kind(v: str | None) -> str:
    """'empty', 'number' or 'text' for one cell."""
    t = _text(v)
    if t in _BLANKISH:
        return "empty"
    return "number" if _NUMBER_RE.match(t) else "text"


def _label_like(v: str | None) -> bool:
    """Whether a non-empty cell reads as a column label (text that is not a date, or a year
    such as 2023)."""
    t = _text(v)
    if _DATE_RE.match(t):
        return False
    return _kind(t) == "text" or bool(_YEAR_RE.match(t))


def _score(rows: list[Row], i: int, width: int) -> float:
    """How much row `i` looks like a header: filled across the table, distinct labels, and
    rows below it whose columns keep one kind of value."""
    cells = [_text(rows[i][j]) for j in _filled(rows[i])]
    if len(cells) < min(2, width):
        return 0.0
    fill = min(1.0, len(cells) / width)
    labels = sum(_label_like(c) for c in cells) / len(cells)
    distinct = len(set(cells)) / len(cells)
    below = [r for r in rows[i + 1 : i + 1 + BELOW_ROWS] if _filled(r)]
    if not below:
        return fill * labels * distinct * 0.5
    steady = []
    for j in _filled(rows[i]):
        kinds = {_kind(r[j]) if j < len(r) else "empty" for r in below} - {"empty"}
        steady.append(1.0 if len(kinds) <= 1 else 0.5)
    return fill * labels * distinct * (sum(steady) / len(steady))


def _width(rows: list[Row]) -> int:
    """The typical number of filled cells of a row with two or more (the table's width)."""
    counts = sorted(len(_filled(r)) for r in rows if len(_filled(r)) >= 2)
    if not counts:
        return max((len(_filled(r)) for r in rows), default=0)
    return counts[len(counts) // 2]


def find_header(rows: Sequence[Row], *, start: int | None = None) -> HeaderLayout | None:
    """The header of a sheet from its first rows (`SAMPLE_ROWS` are plenty), or None if all
    are blank.

    Without `start`, the header is the earliest best-scoring row, moved off the first filled
    row only when every filled row above it is preamble (`_preamble`: a title, a unit, a note).
    With `start` (the publisher's `--header-row`), the header begins there.
    Label rows directly above (two or more distinct labels) or below it (labels over columns
    whose data are numbers, filling the gaps of a merged cell) join it, up to
    `MAX_HEADER_ROWS` rows.
    """
    rows = [list(r) for r in rows]
    nonblank = [i for i, r in enumerate(rows) if _filled(r)]
    if not nonblank:
        return None
    first, count = nonblank[0], 1
    if start is not None:
        if start >= len(rows) or not _filled(rows[start]):
            return None
        first = start
    else:
        width = max(_width(rows), 1)
        scores = {i: _score(rows, i, width) for i in nonblank}
        best = max(scores.values())
        pick = next((i for i in nonblank if best > 0 and scores[i] >= 0.9 * best), first)
        top = pick
        while (
            top - 1 in scores
            and pick - top + 1 < MAX_HEADER_ROWS
            and _is_upper_part(rows[top - 1], rows[top])
        ):
            top -= 1
        n = max(len(_filled(rows[k])) for k in range(top, pick + 1))
        if all(_preamble(rows[k], n, scores[k], best) for k in nonblank if k < top):
            first, count = top, pick - top + 1
    while count < MAX_HEADER_ROWS and _is_lower_part(rows, first, count):
        count += 1
    return HeaderLayout(first, count, _join(rows[first : first + count]))


def _preamble(row: Row, header_cells: int, score: float, best: float) -> bool:
    """Whether a filled row above the header is preamble (a title, a unit, a "작성일" note):
    narrower than the header, and either at most half as wide or far from header-like."""
    cells = len(_filled(row))
    if cells >= header_cells:
        return False
    return cells <= max(1, header_cells // 2) or score < 0.5 * best


def _is_upper_part(upper: Row, header: Row) -> bool:
    """Whether the row right above a header row is an upper part of the header: two or more
    distinct labels, either over the gaps of vertically merged cells (each row has labels where
    the other has none) or as group labels spanning gaps the header row fills."""
    cols = _filled(upper)
    cells = [_text(upper[j]) for j in cols]
    if len(cells) < 2 or len(set(cells)) < len(cells) or not all(_label_like(c) for c in cells):
        return False
    below = set(_filled(header))
    if set(cols) - below and below - set(cols):
        return True
    if any(b - a < 2 for a, b in zip(cols, cols[1:], strict=False)):
        return False
    return any(j in below for j in range(cols[0] + 1, max(below) + 1) if j not in cols)


def _is_lower_part(rows: list[Row], first: int, count: int) -> bool:
    """Whether the row after the header rows found so far continues the header: labels only,
    at least one over a column whose values below are numbers, or filling the header's gaps."""
    i = first + count
    if i >= len(rows):
        return False
    row = rows[i]
    cells = _filled(row)
    if not cells or not all(_label_like(row[j]) for j in cells):
        return False
    data = [r for r in rows[i + 1 : i + 1 + BELOW_ROWS] if _filled(r)]
    if not data:
        return False
    top = rows[i - 1]
    gaps = [j for j in cells if j >= len(top) or not _text(top[j])]
    numeric = [j for j in cells if any(j < len(r) and _kind(r[j]) == "number" for r in data)]
    if not numeric:
        return False
    # a data row of a text table also has labels only: it must leave gaps the header filled
    header_cells = set(_filled(top))
    return bool(gaps) or len(cells) < len(header_cells)


def _join(parts: list[Row]) -> list[str]:
    """Column names from header rows: group labels carried right over the cells their merged
    cell covered (where a lower row has a label and the group row none), joined top to bottom."""
    width = max((j + 1 for r in parts for j in _filled(r)), default=0)
    grid = [[str(r[j]) if j < len(r) and _text(r[j]) else "" for j in range(width)] for r in parts]
    for k in range(len(grid) - 1):
        carry = ""
        for j in range(width):
            if grid[k][j]:
                carry = grid[k][j]
            elif carry and any(grid[m][j] for m in range(k + 1, len(grid))):
                grid[k][j] = carry
            else:
                carry = ""
    names: list[str] = []
    for j in range(width):
        seen: list[str] = []
        for k in range(len(grid)):
            if grid[k][j] and grid[k][j] not in seen:
                seen.append(grid[k][j])
        # one part keeps its text as written (the schema's title); parts are joined trimmed
        names.append(seen[0] if len(seen) == 1 else HEADER_JOIN.join(_text(p) for p in seen))
    return names


def is_total_label(value: str | None) -> bool:
    """Whether a row's first text cell marks a total row (합계, 총계, 계, 소계, Total)."""
    if value is None:
        return False
    return SPACE_RE.sub("", str(value)).lower() in TOTAL_LABELS


def first_text(row: Row) -> str | None:
    """The row's first non-empty cell (null tokens such as "-" count as empty)."""
    for v in row:
        if _kind(v) != "empty":
            return _text(v)
    return None
