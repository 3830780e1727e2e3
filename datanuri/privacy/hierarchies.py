"""Generalisation hierarchies: how a value becomes less precise, level by level.

Level 0 is the original value; the top level is usually ``"*"`` (everything suppressed).
Every hierarchy has ``height`` (the number of levels, including level 0, as ARX counts) and
``generalize(values, level) -> pa.Array`` (strings; nulls stay null). The optimiser only ever
calls ``generalize`` on the distinct values of a column, so a hierarchy may be a table or a rule.

- :class:`TableHierarchy`: one row per leaf, one column per level (user-written CSV files,
  Korean administrative regions);
- :class:`IntervalHierarchy`: numeric intervals that double up (``age_hierarchy()``);
- :class:`DateHierarchy`: day → month → quarter → year → ``*``;
- :class:`PrefixHierarchy`: keep a shrinking prefix (postcodes).

A user hierarchy file is CSV: a header naming the levels (optional), then one row per leaf value,
leaf first, most general last, e.g. ``Bachelors,Undergraduate,Higher education``. A final ``*``
level is added if the last column has more than one value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M

TOP = "*"


@runtime_checkable
class Hierarchy(Protocol):
    """What the engine needs of a hierarchy. ``column`` only names the column in error messages."""

    @property
    def height(self) -> int: ...

    def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array: ...


def _flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(values)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    return values


def _to_str(values: pa.Array) -> pa.Array:
    values = _flat(values)
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_floating(values.type):
        # 25.0 -> "25" so that integral floats read like integers
        as_int = pc.cast(values, pa.int64(), safe=False)
        integral = pc.fill_null(pc.equal(pc.cast(as_int, values.type), values), False)
        return pc.if_else(integral, pc.cast(as_int, pa.string()), pc.cast(values, pa.string()))
    return pc.cast(values, pa.string())


def _check_level(level: int, height: int, column: str = "") -> None:
    if not 0 <= level < height:
        raise InvalidInput(M.MSG_BAD_LEVEL.format(level=level, column=column, top=height - 1))


def _top(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.is_null(values), pa.scalar(None, pa.string()), pa.scalar(TOP))


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableHierarchy:
    """A hierarchy given as a table: ``levels[j][i]`` is leaf ``i`` generalised to level ``j``."""

    levels: tuple[tuple[str, ...], ...]
    level_names: tuple[str, ...] = ()
    name: str = "hierarchy"
    _index: pa.Array = field(init=False, repr=False, compare=False)
    _columns: tuple[pa.Array, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.levels or not self.levels[0]:
            raise InvalidInput(M.MSG_HIERARCHY_EMPTY.format(name=self.name))
        levels = [tuple(map(str, lv)) for lv in self.levels]
        if len(set(levels[-1])) > 1:
            levels.append((TOP,) * len(levels[0]))
        # every value of a level must have one parent in the next level
        for j in range(len(levels) - 1):
            parent: dict[str, str] = {}
            for child, up in zip(levels[j], levels[j + 1], strict=True):
                if parent.setdefault(child, up) != up:
                    raise InvalidInput(
                        M.MSG_HIERARCHY_INCONSISTENT.format(
                            name=self.name,
                            value=child,
                            level=j,
                            parents=f"{parent[child]!r}, {up!r}",
                        )
                    )
        object.__setattr__(self, "levels", tuple(levels))
        names = tuple(self.level_names) + tuple(
            TOP if j == len(levels) - 1 else f"level{j}"
            for j in range(len(self.level_names), len(levels))
        )
        object.__setattr__(self, "level_names", names)
        object.__setattr__(self, "_index", pa.array(levels[0], pa.string()))
        object.__setattr__(self, "_columns", tuple(pa.array(lv, pa.string()) for lv in levels))

    @property
    def height(self) -> int:
        return len(self.levels)

    @property
    def leaves(self) -> tuple[str, ...]:
        return self.levels[0]

    def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array:
        _check_level(level, self.height, column or self.name)
        values = _to_str(values)
        idx = pc.index_in(values, value_set=self._index)
        missing = pc.and_(pc.is_null(idx), pc.is_valid(values))
        if pc.any(missing).as_py():
            bad = pc.unique(pc.filter(values, missing))
            raise InvalidInput(
                M.MSG_HIERARCHY_MISSING_VALUES.format(
                    column=column or self.name,
                    count=len(bad),
                    examples=", ".join(repr(v) for v in bad.to_pylist()[:5]),
                ),
                details={"column": column or self.name, "missing": bad.to_pylist()[:100]},
            )
        return pc.take(self._columns[level], idx)

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Sequence[str]],
        *,
        level_names: Sequence[str] = (),
        name: str = "hierarchy",
    ) -> TableHierarchy:
        if not rows:
            raise InvalidInput(M.MSG_HIERARCHY_EMPTY.format(name=name))
        width = len(level_names) if level_names else len(rows[0])
        for i, row in enumerate(rows, start=1):
            if len(row) != width:
                raise InvalidInput(
                    M.MSG_HIERARCHY_RAGGED.format(row=i, name=name, got=len(row), expected=width)
                )
        return cls(tuple(zip(*rows, strict=True)), tuple(level_names), name)

    @classmethod
    def from_mapping(
        cls, mapping: dict[str, Sequence[str]], *, name: str = "hierarchy"
    ) -> TableHierarchy:
        """``{leaf: [level1, level2, ...]}``."""
        return cls.from_rows([(leaf, *ups) for leaf, ups in mapping.items()], name=name)

    @classmethod
    def from_csv(
        cls,
        source: str | Path | io.TextIOBase,
        *,
        header: bool | None = None,
        name: str | None = None,
    ) -> TableHierarchy:
        """Read a hierarchy CSV (one row per leaf, leaf first, most general last).

        ``header=None`` guesses: the first row is a header of level names when none of its cells
        occurs among the values of the other rows."""
        if isinstance(source, (str, Path)):
            label = name or Path(source).name
            text = Path(source).read_text(encoding="utf-8-sig")
        else:
            label = name or "hierarchy"
            text = source.read()
        rows = [r for r in csv.reader(io.StringIO(text)) if r and any(c.strip() for c in r)]
        rows = [[c.strip() for c in r] for r in rows]
        if not rows:
            raise InvalidInput(M.MSG_HIERARCHY_EMPTY.format(name=label))
        names: list[str] = []
        if header is None:
            values = {c for r in rows[1:] for c in r}
            header = bool(rows[1:]) and not any(c in values for c in rows[0])
        if header:
            names, rows = rows[0], rows[1:]
        return cls.from_rows(rows, level_names=names, name=label)

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(self.level_names)
        w.writerows(zip(*self.levels, strict=True))
        return out.getvalue()


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalHierarchy:
    """Numeric intervals: level ``j`` (1..len(widths)) puts a value in a bin of ``widths[j-1]``
    starting at ``start``; the level above the last width is ``*``. Each width must be a multiple
    of the one before so that the levels nest. Labels read ``"20-24"`` for integer bins
    (``closed`` upper bound) or ``"[20, 25)"`` otherwise.
    """

    widths: tuple[float, ...]
    start: float = 0
    integer: bool = True

    def __post_init__(self) -> None:
        w = tuple(self.widths)
        ok = all(x > 0 for x in w) and all(
            math.isclose(b / a, round(b / a)) and b >= a for a, b in pairwise(w)
        )
        if not w or not ok:
            raise InvalidInput(M.MSG_BAD_WIDTHS.format(widths=self.widths))
        object.__setattr__(self, "widths", w)

    @property
    def height(self) -> int:
        return len(self.widths) + 2

    def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array:
        _check_level(level, self.height, column)
        values = _flat(values)
        if level == 0:
            return _to_str(values)
        if level == self.height - 1:
            return _top(values)
        if not (
            pa.types.is_integer(values.type)
            or pa.types.is_floating(values.type)
            or pa.types.is_decimal(values.type)
        ):
            try:
                values = pc.cast(values, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InvalidInput(
                    M.MSG_NOT_NUMERIC.format(
                        column=column, operation="interval generalisation", type=values.type
                    )
                ) from None
        width = self.widths[level - 1]
        x = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        lo = np.floor((x - self.start) / width) * width + self.start
        valid = ~np.isnan(x)
        lo_s = _num_str(lo[valid], self.integer)
        if self.integer:
            hi_s = _num_str(lo[valid] + width - 1, True)
            labels = np.char.add(np.char.add(lo_s, "-"), hi_s)
        else:
            labels = np.char.add(
                np.char.add(
                    np.char.add(np.char.add("[", lo_s), ", "), _num_str(lo[valid] + width, False)
                ),
                ")",
            )
        out = np.full(len(x), None, dtype=object)
        out[valid] = labels
        return pa.array(out, pa.string())


def _num_str(x: np.ndarray, integer: bool) -> np.ndarray:
    if integer:
        return np.char.mod("%d", x.astype(np.int64)) if len(x) else np.array([], dtype="U1")
    return np.char.mod("%g", x) if len(x) else np.array([], dtype="U1")


def age_hierarchy(widths: tuple[int, ...] = (5, 10, 20)) -> IntervalHierarchy:
    """Ages in 5-, 10- and 20-year bands, then ``*`` (height 5, as in the Adult benchmark)."""
    return IntervalHierarchy(widths, start=0, integer=True)


# --------------------------------------------------------------------------------------------

DateLevel = Literal["day", "month", "quarter", "year"]


@dataclass(frozen=True)
class DateHierarchy:
    """Dates: ``levels`` (default day → month → quarter → year) then ``*``.

    Accepts date/timestamp arrays or ISO ``YYYY-MM-DD`` strings. Outputs ``2024-03-15``,
    ``2024-03``, ``2024-Q1``, ``2024``.
    """

    levels: tuple[DateLevel, ...] = ("day", "month", "quarter", "year")

    @property
    def height(self) -> int:
        return len(self.levels) + 1

    def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array:
        _check_level(level, self.height, column)
        values = _flat(values)
        if level == self.height - 1:
            return _top(values)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            try:
                values = pc.cast(pc.cast(values, pa.timestamp("s")), pa.date32())
            except pa.ArrowInvalid:
                raise InvalidInput(
                    M.MSG_NOT_DATE.format(
                        column=column, type="text that is not ISO dates (YYYY-MM-DD)"
                    )
                ) from None
        elif not (pa.types.is_date(values.type) or pa.types.is_timestamp(values.type)):
            raise InvalidInput(M.MSG_NOT_DATE.format(column=column, type=values.type))
        kind = self.levels[level]
        if kind == "day":
            return pc.strftime(values, format="%Y-%m-%d")
        if kind == "month":
            return pc.strftime(values, format="%Y-%m")
        if kind == "year":
            return pc.strftime(values, format="%Y")
        q = pc.add(pc.divide(pc.subtract(pc.month(values), 1), 3), 1)
        return pc.binary_join_element_wise(
            pc.strftime(values, format="%Y"), pc.cast(q, pa.string()), "-Q"
        )


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefixHierarchy:
    """Keep the first ``keep[j]`` characters at level ``j`` and mask the rest with ``mask``
    (``keep`` decreasing; 0 means ``*``). Korean 5-digit postcodes: ``keep=(5, 3, 2, 0)``
    (the first 3 digits identify the 시군구, the first 2 the 시도)."""

    keep: tuple[int, ...] = (5, 4, 3, 2, 1, 0)
    mask: str = "*"

    @property
    def height(self) -> int:
        return len(self.keep)

    def generalize(self, values: pa.Array, level: int, *, column: str = "") -> pa.Array:
        _check_level(level, self.height, column)
        values = _to_str(values)
        n = self.keep[level]
        if n == 0:
            return _top(values)
        if level == 0:
            return values
        head = pc.utf8_slice_codeunits(values, 0, n)
        tail = pc.max_element_wise(pc.subtract(pc.utf8_length(values), n), 0)
        return pc.binary_join_element_wise(head, pc.binary_repeat(self.mask, tail), "")


def postcode_hierarchy() -> PrefixHierarchy:
    """Korean 5-digit postcodes (국가기초구역번호): 5 digits → 3 (시군구) → 2 (시도) → ``*``."""
    return PrefixHierarchy(keep=(5, 3, 2, 0))


# --------------------------------------------------------------------------------------------

RegionLeaf = Literal["읍면동", "시군구", "시도"]


def korean_regions(*, leaf: RegionLeaf = "읍면동") -> TableHierarchy:
    """Korean administrative regions, 읍면동 → 시군구 → 시도 → ``*``, from the shipped data file.

    Leaves are full names (``"서울특별시 종로구 사직동"``, ``"서울특별시 종로구"``) because 동 and 구
    names repeat across the country. The shipped file is a sample of real regions (every 시도, every
    구 of Seoul and Busan, a few 읍면동 each); load the full official list with
    :meth:`TableHierarchy.from_csv` in the same format for production.
    """
    text = (
        resources.files("datanuri.privacy")
        .joinpath("data/kr_regions.csv")
        .read_text(encoding="utf-8")
    )
    rows = list(csv.reader(io.StringIO(text)))
    header, rows = rows[0], rows[1:]
    start = header.index(leaf)
    seen: dict[str, tuple[str, ...]] = {}
    for row in rows:
        seen.setdefault(row[start], tuple(row[start:]))
    return TableHierarchy.from_rows(
        list(seen.values()), level_names=header[start:], name=f"korean_regions({leaf})"
    )


def load_hierarchy(path: str | Path) -> TableHierarchy:
    """A user-written categorical hierarchy CSV (see the module docstring)."""
    return TableHierarchy.from_csv(path)
