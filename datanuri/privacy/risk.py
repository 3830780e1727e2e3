"""Re-identification risk of a released table (재식별 위험).

Three attacker models (El Emam; as in ARX):

- **prosecutor** — the attacker knows the target is in the release: a record's risk is
  ``1 / |its equivalence class|``;
- **journalist** — the attacker knows only that the target is in a larger population table
  (e.g. a census extract) with the same quasi-identifiers: risk ``1 / F``, F the size of the
  matching population class (at least the sample class size);
- **marketer** — the attacker re-identifies as many records as possible: the expected share
  correctly matched, ``(1/n) Σ_classes f / F`` (with F = f without a population table, which is
  the number of classes over n).

For prosecutor and journalist: the highest and average record risk, the share of records whose
risk exceeds a threshold, and sample uniques (records alone in their class).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.encoding import codes, combine_codes
from datanuri.privacy.models import _check_columns, group_ids


@dataclass(frozen=True)
class RiskSummary:
    """Risk figures for one attacker model."""

    highest: float
    average: float
    records_at_risk: float  # share of records whose risk > threshold
    threshold: float
    histogram: dict[str, int]  # records per risk band, for charts

    def to_dict(self) -> dict[str, Any]:
        return {
            "highest": self.highest,
            "average": self.average,
            "records_at_risk": self.records_at_risk,
            "threshold": self.threshold,
            "histogram": dict(self.histogram),
        }


@dataclass(frozen=True)
class Risk:
    records: int
    classes: int
    sample_uniques: int
    sample_unique_share: float
    prosecutor: RiskSummary
    marketer: float
    journalist: RiskSummary | None = None
    population_uniques: int | None = None  # sample records unique in the population too

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "classes": self.classes,
            "sample_uniques": self.sample_uniques,
            "sample_unique_share": self.sample_unique_share,
            "prosecutor": self.prosecutor.to_dict(),
            "journalist": None if self.journalist is None else self.journalist.to_dict(),
            "marketer": self.marketer,
            "population_uniques": self.population_uniques,
        }


#: Upper bounds of the risk bands of :attr:`RiskSummary.histogram` (class sizes 1, 2, 3-4, 5-9, ...).
BANDS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 1.0)


def _histogram(risks: np.ndarray, weights: np.ndarray) -> dict[str, int]:
    edges = np.array(BANDS)
    band = np.searchsorted(edges, risks, side="left")  # (lo, hi] bands
    counts = np.bincount(band, weights=weights, minlength=len(edges)).astype(int)
    out = {}
    for i in range(1, len(edges)):
        out[f"({edges[i - 1]:.3g}, {edges[i]:.3g}]"] = int(counts[i])
    return out


def _summary(risks: np.ndarray, weights: np.ndarray, threshold: float) -> RiskSummary:
    n = weights.sum()
    return RiskSummary(
        highest=float(risks.max()) if len(risks) else 0.0,
        average=float((risks * weights).sum() / n) if n else 0.0,
        records_at_risk=float(weights[risks > threshold].sum() / n) if n else 0.0,
        threshold=threshold,
        histogram=_histogram(risks, weights),
    )


def record_risk(table: pa.Table, *, quasi_identifiers: Sequence[str]) -> pa.Array:
    """Prosecutor risk of every record (``1 / class size``), for joining back to rows."""
    ids, g = group_ids(table, quasi_identifiers)
    sizes = np.bincount(ids, minlength=g)
    return pa.array(1.0 / sizes[ids], pa.float64())


def population_class_sizes(
    table: pa.Table, population: pa.Table, quasi_identifiers: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Sample class sizes f and matching population class sizes F (same class order)."""
    missing = [c for c in quasi_identifiers if c not in population.column_names]
    if missing:
        raise InvalidInput(M.MSG_POPULATION_COLUMNS.format(columns=", ".join(missing)))
    cs, cards = [], []
    n = table.num_rows
    for col in quasi_identifiers:
        a, b = table.column(col), population.column(col)
        if a.type != b.type:
            a, b = pc.cast(a, pa.string()), pc.cast(b, pa.string())
        both = pa.chunked_array(list(a.chunks) + list(b.chunks), type=a.type)
        c, d = codes(both)
        cs.append(c)
        cards.append(max(len(d), 1))
    ids, g = combine_codes(cs, cards)
    sample_ids, pop_ids = ids[:n], ids[n:]
    f = np.bincount(sample_ids, minlength=g)
    big_f = np.bincount(pop_ids, minlength=g)
    present = f > 0
    return f[present], big_f[present]


def assess_risk(
    table: pa.Table,
    *,
    quasi_identifiers: Sequence[str],
    population: pa.Table | None = None,
    threshold: float = 0.2,
) -> Risk:
    """Prosecutor, journalist (with ``population``) and marketer risk of ``table``.

    ``threshold`` is the highest acceptable record risk (0.2 is 1/5: a 5-anonymous class).
    """
    if not 0 <= threshold <= 1:
        raise InvalidInput(M.MSG_BAD_THRESHOLD.format(value=threshold))
    if not quasi_identifiers:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    _check_columns(table, quasi_identifiers)
    if table.num_rows == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    ids, g = group_ids(table, quasi_identifiers)
    f = np.bincount(ids, minlength=g).astype(float)
    n = float(f.sum())
    prosecutor = _summary(1.0 / f, f, threshold)
    uniques = int((f == 1).sum())
    journalist = None
    pop_uniques = None
    marketer = g / n
    if population is not None:
        fs, big = population_class_sizes(table, population, quasi_identifiers)
        big = np.maximum(big, fs).astype(float)  # the sample is part of the population
        journalist = _summary(1.0 / big, fs.astype(float), threshold)
        marketer = float((fs / big).sum() / n)
        pop_uniques = int(fs[(big == 1)].sum())
    return Risk(
        records=int(n),
        classes=int(g),
        sample_uniques=uniques,
        sample_unique_share=uniques / n,
        prosecutor=prosecutor,
        marketer=float(marketer),
        journalist=journalist,
        population_uniques=pop_uniques,
    )


def risk_from_sizes(sizes: np.ndarray, *, threshold: float = 0.2) -> Risk:
    """Prosecutor and marketer risk of a release whose classes have these ``sizes`` (no
    population table): :func:`assess_risk` on a class table the compute engine counted."""
    if not 0 <= threshold <= 1:
        raise InvalidInput(M.MSG_BAD_THRESHOLD.format(value=threshold))
    f = np.asarray(sizes).astype(float)
    n = float(f.sum())
    if n == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    uniques = int((f == 1).sum())
    return Risk(
        records=int(n),
        classes=len(f),
        sample_uniques=uniques,
        sample_unique_share=uniques / n,
        prosecutor=_summary(1.0 / f, f, threshold),
        marketer=float(len(f) / n),
    )


@dataclass(frozen=True)
class DeltaPresence:
    """δ-presence of a release within a population: for every released class, the probability
    that a population member with those quasi-identifier values is in the release, f / F. The
    release is (δmin, δmax)-present when every class's value lies in [δmin, δmax]."""

    delta_min: float
    delta_max: float

    def satisfies(self, delta_min: float, delta_max: float) -> bool:
        return delta_min <= self.delta_min and self.delta_max <= delta_max


def delta_presence(
    table: pa.Table, *, population: pa.Table, quasi_identifiers: Sequence[str]
) -> DeltaPresence:
    """The smallest and largest f / F over the release's classes (F counts the population; a
    population that lacks a released class is taken to hold at least the released records)."""
    if not quasi_identifiers:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    _check_columns(table, quasi_identifiers)
    if table.num_rows == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    f, big = population_class_sizes(table, population, quasi_identifiers)
    ratio = f / np.maximum(big, f)
    return DeltaPresence(float(ratio.min()), float(ratio.max()))
