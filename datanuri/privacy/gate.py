"""The release gate: checks over the source and the candidate release (pure, over Arrow tables)
that decide whether a policy that reached its criteria may still publish an identifier.

A policy can reach k-anonymity and still release a person's name, a raw birth date or an exact
copy of a quasi-identifier. These checks look at what the measures produced, not at what the
policy says:

- :func:`near_unique_columns`: a released column on which most records are unique by
  themselves (share of sample uniques at least :data:`NEAR_UNIQUE_SHARE`) singles people out
  on its own, whatever the generalisation of the quasi-identifiers;
- :func:`duplicate_columns`: two columns that are the same partition of the records (an exact
  copy such as a header renamed at ingest, or a 1:1 relabelling) — releasing one of them raw
  undoes the protection of the other;
- :func:`unchanged_values`: how many values of a treated identifier column come out exactly as
  they went in (a no-op mask, ``mask_identifiers`` that found nothing).

:mod:`datanuri.privacy.policy` turns the findings into refusals unless the publisher acknowledged
them with a reason, and records them in the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.privacy.encoding import codes
from datanuri.privacy.identifiers import as_string_array

#: A released column is *near-unique* when at least this share of the released records hold a
#: value that no other released record holds (sample uniques on that one column). Above it the
#: column alone singles out most people: anyone who knows it for a person finds their record,
#: and it links the release to any other source that holds it, whatever the k of the
#: quasi-identifiers. Half is the point where "unique" is the typical case, not the exception.
NEAR_UNIQUE_SHARE = 0.5

#: A 1:1 relabelling (not an exact copy) counts only when the records are at least this many per
#: value on average: in a small table, two unrelated columns can pair up 1:1 by chance (each of
#: 12 ages with its own diagnosis); with several records behind every value they do not.
RELABEL_MIN_RECORDS_PER_VALUE = 5


@dataclass(frozen=True)
class NearUnique:
    """A released column on which most records are unique by themselves."""

    column: str
    unique_share: float  # share of released records whose value no other record holds
    distinct: int
    acknowledged: str | None = None  # the publisher's reason, when acknowledged

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "unique_share": self.unique_share,
            "distinct": self.distinct,
            "acknowledged": self.acknowledged,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> NearUnique:
        ack = d.get("acknowledged")
        return cls(
            str(d.get("column")),
            float(d.get("unique_share") or 0.0),
            int(d.get("distinct") or 0),
            None if ack is None else str(ack),
        )


@dataclass(frozen=True)
class Duplicate:
    """``column`` is the same partition of the records as ``of``: an exact copy or a relabelling."""

    column: str
    of: str
    exact: bool  # same values (as text); False: a 1:1 relabelling
    acknowledged: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Duplicate:
        ack = d.get("acknowledged")
        return cls(
            str(d.get("column")),
            str(d.get("of")),
            bool(d.get("exact")),
            None if ack is None else str(ack),
        )


@dataclass(frozen=True)
class Unchanged:
    """A treated identifier column with values that came out exactly as they went in."""

    column: str
    measure: str
    unchanged: int
    values: int  # non-null values checked

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Unchanged:
        return cls(
            str(d.get("column")),
            str(d.get("measure")),
            int(d.get("unchanged") or 0),
            int(d.get("values") or 0),
        )


def _codes(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """Integer codes of the values (nulls one more code) and how many codes there are."""
    c, dictionary = codes(values)
    return np.asarray(c, dtype=np.int64), len(dictionary)


def unique_share(values: pa.Array | pa.ChunkedArray) -> tuple[float, int]:
    """The share of records whose (non-null) value no other record holds, and the number of
    distinct non-null values."""
    n = len(values)
    if n == 0:
        return 0.0, 0
    counts = pc.value_counts(pc.drop_null(values))
    if len(counts) == 0:
        return 0.0, 0
    c = np.asarray(counts.field("counts").to_numpy(zero_copy_only=False))
    return float((c == 1).sum()) / n, int(len(c))


def near_unique_columns(
    table: pa.Table, columns: Sequence[str], *, threshold: float = NEAR_UNIQUE_SHARE
) -> list[NearUnique]:
    """The columns of ``table`` (among ``columns``) on which at least ``threshold`` of the
    records are unique by themselves."""
    found = []
    for col in columns:
        share, distinct = unique_share(table.column(col))
        if share >= threshold:
            found.append(NearUnique(col, share, distinct))
    return found


def duplicate_columns(
    released: Mapping[str, pa.Array | pa.ChunkedArray],
    protected: Mapping[str, pa.Array | pa.ChunkedArray],
) -> list[Duplicate]:
    """The ``released`` columns that partition the records the same way as one of the
    ``protected`` columns (every value of one goes with exactly one value of the other, both
    ways, nulls included); constant columns are no copy of anything, and a relabelling needs
    :data:`RELABEL_MIN_RECORDS_PER_VALUE` records per value to count."""
    coded = {name: _codes(values) for name, values in protected.items()}
    found = []
    for col, values in released.items():
        a, na = _codes(values)
        for of, (b, nb) in coded.items():
            if na != nb or na <= 1 or np.unique(a * nb + b).size != na:
                continue
            exact = pc.all(
                pc.equal(
                    pc.fill_null(as_string_array(values), "\x00"),
                    pc.fill_null(as_string_array(protected[of]), "\x00"),
                )
            ).as_py()
            if exact or len(a) >= RELABEL_MIN_RECORDS_PER_VALUE * na:
                found.append(Duplicate(col, of, bool(exact)))
    return found


def unchanged_mask(
    before: pa.Array | pa.ChunkedArray,
    after: pa.Array | pa.ChunkedArray,
    *,
    kept: np.ndarray | None = None,
) -> pa.BooleanArray:
    """Per record: a non-null value that came out the same (False for records not ``kept``)."""
    b = as_string_array(before)
    a = as_string_array(after)
    same = pc.and_(pc.is_valid(b), pc.fill_null(pc.equal(a, b), False))
    if kept is not None:
        same = pc.and_(same, pa.array(kept))
    return same


def unchanged_values(
    before: pa.Array | pa.ChunkedArray,
    after: pa.Array | pa.ChunkedArray,
    *,
    kept: np.ndarray | None = None,
) -> tuple[pa.BooleanArray, int, int]:
    """Per record whether a non-null value came out the same (:func:`unchanged_mask`), how many
    did, and how many non-null values were compared (of the records ``kept``)."""
    present = pc.is_valid(as_string_array(before))
    if kept is not None:
        present = pc.and_(present, pa.array(kept))
    same = unchanged_mask(before, after, kept=kept)
    return same, _count(same), _count(present)


def _count(mask: pa.BooleanArray) -> int:
    return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)
