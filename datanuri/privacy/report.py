"""The adequacy assessment report (적정성 평가) of a release: typed, versioned, hashable.

Sections follow the guideline's stages: the policy (what was asked), the transformation (what
was done), the privacy check measured on the released table, equivalence-class size and risk
distributions, information loss per column, and whether the policy passed (and by how much it
failed, if it did). Charts are drawn from the histograms by the interface layers.

:class:`AssessmentReport` is the report of a generalisation release; :class:`DPReport` that of a
differential-privacy release (budget, noise and accuracy per measure). Both serialise with
``to_json()`` and read back with ``from_json()``; ``digest()`` is the SHA-256 of the RFC 8785
canonical JSON, the hash the ledger's ``privacy.release`` event records, so any JCS
implementation reproduces it. :func:`load_report` also reads reports stored before the typed
format (version 0: plain dicts, whatever their ``version`` key said) and converts them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.canonical import dumps as canonical_json
from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.budget import BudgetAccount
from datanuri.privacy.criteria import Criterion, TCloseness, model_name, sensitive_criterion
from datanuri.privacy.encoding import codes
from datanuri.privacy.gate import NEAR_UNIQUE_SHARE, Duplicate, NearUnique, Unchanged
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import check_criteria, group_ids
from datanuri.privacy.risk import Risk, assess_risk
from datanuri.privacy.risk import delta_presence as measure_delta

#: Version of the typed report; 0 is a plain dict stored before it (converted on read).
REPORT_VERSION = 2
#: Equivalence-class size bands for the size histogram.
SIZE_BANDS = ((1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, None))


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    return float(x) if math.isfinite(x) else None


def class_size_distribution(table: pa.Table, quasi_identifiers: Sequence[str]) -> dict[str, Any]:
    if table.num_rows == 0:
        return {"classes": 0, "min": 0, "max": 0, "mean": 0.0, "median": 0.0, "histogram": {}}
    ids, g = group_ids(table, quasi_identifiers)
    return size_distribution(np.bincount(ids, minlength=g))


def size_distribution(sizes: np.ndarray) -> dict[str, Any]:
    """The class-size distribution of classes of these (non-zero) ``sizes``."""
    if len(sizes) == 0:
        return {"classes": 0, "min": 0, "max": 0, "mean": 0.0, "median": 0.0, "histogram": {}}
    g = len(sizes)
    hist: dict[str, dict[str, int]] = {}
    for lo, hi in SIZE_BANDS:
        sel = (sizes >= lo) & (sizes <= (hi if hi is not None else sizes.max()))
        label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi is not None else f"{lo}+")
        hist[label] = {"classes": int(sel.sum()), "records": int(sizes[sel].sum())}
    return {
        "classes": int(g),
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "mean": float(sizes.mean()),
        "median": float(np.median(sizes)),
        "histogram": hist,
    }


def column_loss(
    original: pa.Table,
    released: pa.Table,
    column: str,
    hierarchy: Hierarchy,
    level: int,
    suppressed: int,
) -> dict[str, Any]:
    """Information loss of one quasi-identifier: its level, precision (level / top), NCP of the
    released values (leaves of the data domain under each value, normalised), distinct values
    before and after, and the same counting suppressed records as fully lost."""
    top = hierarchy.height - 1
    leaf_codes, dictionary = codes(original.column(column))
    domain = len(dictionary)
    gen = hierarchy.generalize(dictionary, level, column=column)
    gen_codes, gen_dict = codes(gen)
    leaves_under = np.bincount(gen_codes, minlength=len(gen_dict))
    n_rel = released.num_rows
    if n_rel:
        rel = released.column(column)
        rel = rel.combine_chunks() if isinstance(rel, pa.ChunkedArray) else rel
        idx = pc.index_in(pc.cast(rel, gen_dict.type), value_set=gen_dict)
        idx_np = np.asarray(
            pc.fill_null(idx, len(gen_dict) - 1 if len(gen_dict) else 0).to_numpy(
                zero_copy_only=False
            )
        )
        ncp_values = (leaves_under[idx_np] - 1) / (domain - 1) if domain > 1 else np.zeros(n_rel)
        ncp = float(ncp_values.mean())
        distinct_after = int(pc.count_distinct(rel, mode="all").as_py())
    else:
        ncp, distinct_after = 1.0, 0
    n = n_rel + suppressed
    precision = level / top if top else 0.0
    return {
        "level": level,
        "top_level": top,
        "level_name": (
            hierarchy.level_names[level] if isinstance(hierarchy, TableHierarchy) else None
        ),
        "precision": precision,
        "ncp": ncp,
        "precision_with_suppression": (precision * n_rel + suppressed) / n if n else 0.0,
        "ncp_with_suppression": (ncp * n_rel + suppressed) / n if n else 0.0,
        "distinct_before": domain,
        "distinct_after": distinct_after,
    }


# ----- the typed report -----------------------------------------------------------------------
def _get(data: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    if not isinstance(data, Mapping):
        return default
    value = data.get(key, default)
    return default if value is None else value


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


@dataclass(frozen=True)
class Records:
    """How many records came in, were released and were suppressed."""

    original: int
    released: int
    suppressed: int = 0
    suppressed_share: float = 0.0
    suppression_limit: int = 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> Records:
        return cls(
            original=int(_get(d, "original", 0)),
            released=int(_get(d, "released", 0)),
            suppressed=int(_get(d, "suppressed", 0)),
            suppressed_share=float(_get(d, "suppressed_share", 0.0)),
            suppression_limit=int(_get(d, "suppression_limit", 0)),
        )


@dataclass(frozen=True)
class Measured:
    """The values the released table has: its k, and l, c or t for the sensitive criterion
    (None where not measured or infinite)."""

    k: int | None = None
    l: float | None = None  # noqa: E741
    c: float | None = None
    t: float | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> Measured:
        k = _get(d, "k")
        return cls(
            k=int(k) if isinstance(k, (int, float)) else None,
            l=_finite(_num(_get(d, "l"))),
            c=_finite(_num(_get(d, "c"))),
            t=_finite(_num(_get(d, "t"))),
        )


@dataclass(frozen=True)
class PrivacyCheck:
    """The criteria checked on the released table: required and measured values, and the
    classes (and their records) that fail."""

    model: str
    passed: bool
    required: dict[str, float]
    measured: Measured
    failing_classes: int = 0
    failing_records: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "passed": self.passed,
            "required": dict(self.required),
            "measured": self.measured.to_json(),
            "failing_classes": self.failing_classes,
            "failing_records": self.failing_records,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> PrivacyCheck:
        return cls(
            model=str(_get(d, "model", "k-anonymity")),
            passed=bool(_get(d, "passed", False)),
            required={k: v for k, v in dict(_get(d, "required", {})).items() if v is not None},
            measured=Measured.from_json(_get(d, "measured", {})),
            failing_classes=int(_get(d, "failing_classes", 0)),
            failing_records=int(_get(d, "failing_records", 0)),
        )


@dataclass(frozen=True)
class SizeBand:
    classes: int
    records: int


@dataclass(frozen=True)
class ClassSizes:
    """The equivalence-class size distribution of the released table, with a banded histogram
    (band label -> classes and records)."""

    classes: int = 0
    min: int = 0
    max: int = 0
    mean: float = 0.0
    median: float = 0.0
    histogram: dict[str, SizeBand] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "min": self.min,
            "max": self.max,
            "mean": self.mean,
            "median": self.median,
            "histogram": {
                band: {"classes": b.classes, "records": b.records}
                for band, b in self.histogram.items()
            },
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> ClassSizes:
        return cls(
            classes=int(_get(d, "classes", 0)),
            min=int(_get(d, "min", 0)),
            max=int(_get(d, "max", 0)),
            mean=float(_get(d, "mean", 0.0)),
            median=float(_get(d, "median", 0.0)),
            histogram={
                str(band): SizeBand(int(_get(b, "classes", 0)), int(_get(b, "records", 0)))
                for band, b in dict(_get(d, "histogram", {})).items()
            },
        )


@dataclass(frozen=True)
class RiskFigures:
    """Record risk under one attacker model (see :mod:`datanuri.privacy.risk`)."""

    highest: float
    average: float
    records_at_risk: float
    threshold: float
    histogram: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "histogram": dict(self.histogram)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> RiskFigures:
        return cls(
            highest=float(_get(d, "highest", 0.0)),
            average=float(_get(d, "average", 0.0)),
            records_at_risk=float(_get(d, "records_at_risk", 0.0)),
            threshold=float(_get(d, "threshold", 0.0)),
            histogram={str(k): int(v) for k, v in dict(_get(d, "histogram", {})).items()},
        )


@dataclass(frozen=True)
class RiskSection:
    """Re-identification risk of the released table."""

    records: int
    classes: int
    sample_uniques: int
    sample_unique_share: float
    prosecutor: RiskFigures
    marketer: float
    journalist: RiskFigures | None = None
    population_uniques: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "classes": self.classes,
            "sample_uniques": self.sample_uniques,
            "sample_unique_share": self.sample_unique_share,
            "prosecutor": self.prosecutor.to_json(),
            "journalist": None if self.journalist is None else self.journalist.to_json(),
            "marketer": self.marketer,
            "population_uniques": self.population_uniques,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RiskSection:
        j = _get(d, "journalist")
        pu = _get(d, "population_uniques")
        return cls(
            records=int(_get(d, "records", 0)),
            classes=int(_get(d, "classes", 0)),
            sample_uniques=int(_get(d, "sample_uniques", 0)),
            sample_unique_share=float(_get(d, "sample_unique_share", 0.0)),
            prosecutor=RiskFigures.from_json(_get(d, "prosecutor", {})),
            marketer=float(_get(d, "marketer", 0.0)),
            journalist=RiskFigures.from_json(j) if j else None,
            population_uniques=int(pu) if pu is not None else None,
        )

    @classmethod
    def of(cls, risk: Risk) -> RiskSection:
        return cls.from_json(risk.to_dict())


@dataclass(frozen=True)
class ColumnLoss:
    """Information loss of one quasi-identifier (see :func:`column_loss`)."""

    level: int
    top_level: int
    level_name: str | None
    precision: float
    ncp: float
    precision_with_suppression: float
    ncp_with_suppression: float
    distinct_before: int
    distinct_after: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ColumnLoss:
        precision = float(_get(d, "precision", 0.0))
        ncp = float(_get(d, "ncp", 0.0))
        return cls(
            level=int(_get(d, "level", 0)),
            top_level=int(_get(d, "top_level", 0)),
            level_name=_get(d, "level_name"),
            precision=precision,
            ncp=ncp,
            precision_with_suppression=float(_get(d, "precision_with_suppression", precision)),
            ncp_with_suppression=float(_get(d, "ncp_with_suppression", ncp)),
            distinct_before=int(_get(d, "distinct_before", 0)),
            distinct_after=int(_get(d, "distinct_after", 0)),
        )


@dataclass(frozen=True)
class Utility:
    """Information loss: the optimised metric, per column and overall; and the optional
    classification check (its section as :func:`datanuri.privacy.utility.utility_check` makes it)."""

    loss_metric: str
    loss: float | None
    per_column: dict[str, ColumnLoss]
    precision: float
    ncp: float
    discernibility: float
    average_class_size: float
    classification: dict[str, Any] | None = None

    @classmethod
    def of(
        cls,
        *,
        loss_metric: str,
        loss: float | None,
        per_column: dict[str, ColumnLoss],
        discernibility: float,
        average_class_size: float,
    ) -> Utility:
        """The section, with precision and NCP averaged over the columns (suppression counted)."""
        cols = per_column.values()
        return cls(
            loss_metric=loss_metric,
            loss=_finite(loss),
            per_column=per_column,
            precision=float(np.mean([v.precision_with_suppression for v in cols])) if cols else 0.0,
            ncp=float(np.mean([v.ncp_with_suppression for v in cols])) if cols else 0.0,
            discernibility=discernibility,
            average_class_size=average_class_size,
        )

    def to_json(self) -> dict[str, Any]:
        out = {
            "loss_metric": self.loss_metric,
            "loss": self.loss,
            "per_column": {col: v.to_json() for col, v in self.per_column.items()},
            "precision": self.precision,
            "ncp": self.ncp,
            "discernibility": self.discernibility,
            "average_class_size": self.average_class_size,
        }
        if self.classification is not None:
            out["classification"] = dict(self.classification)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> Utility:
        cu = _get(d, "classification")
        return cls(
            loss_metric=str(_get(d, "loss_metric", "precision")),
            loss=_finite(_num(_get(d, "loss"))),
            per_column={
                str(col): ColumnLoss.from_json(v)
                for col, v in dict(_get(d, "per_column", {})).items()
            },
            precision=float(_get(d, "precision", 0.0)),
            ncp=float(_get(d, "ncp", 0.0)),
            discernibility=float(_get(d, "discernibility", 0.0)),
            average_class_size=float(_get(d, "average_class_size", 0.0)),
            classification=dict(cu) if isinstance(cu, Mapping) else None,
        )


@dataclass(frozen=True)
class Search:
    """How the optimum was found: lattice size, nodes evaluated, seconds."""

    lattice_size: int = 0
    nodes_evaluated: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> Search:
        return cls(
            lattice_size=int(_get(d, "lattice_size", 0)),
            nodes_evaluated=int(_get(d, "nodes_evaluated", 0)),
            seconds=float(_get(d, "seconds", 0.0)),
        )


@dataclass(frozen=True)
class MeasureStep:
    """One measure applied to a column (delete, mask, pseudonymise...), with its options (for
    pseudonymisation the key's name and fingerprint, never the key)."""

    column: str
    measure: str
    options: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "measure": self.measure, **self.options}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> MeasureStep:
        opts = {k: v for k, v in d.items() if k not in ("column", "measure")}
        return cls(str(d.get("column")), str(d.get("measure")), opts)


@dataclass(frozen=True)
class UntreatedIdentifier:
    """A column detection calls a direct identifier that the policy releases untreated."""

    column: str
    kind: str
    confidence: float
    category: str = "direct"
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "evidence": list(self.evidence)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> UntreatedIdentifier:
        return cls(
            column=str(d.get("column")),
            kind=str(d.get("kind")),
            confidence=float(_get(d, "confidence", 0.0)),
            category=str(_get(d, "category", "direct")),
            evidence=tuple(str(e) for e in _get(d, "evidence", ())),
        )


@dataclass(frozen=True)
class ReleaseGate:
    """The release gate's record: the role of every column, the publisher's reasons (columns
    released as they are, findings acknowledged), detections the publisher overruled, near-unique
    released columns, released copies of protected columns and identifier values left unchanged."""

    roles: dict[str, str] = field(default_factory=dict)
    insensitive: dict[str, str] = field(default_factory=dict)
    acknowledged: dict[str, str] = field(default_factory=dict)
    overruled_detections: tuple[UntreatedIdentifier, ...] = ()
    near_unique: tuple[NearUnique, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    unchanged: tuple[Unchanged, ...] = ()
    near_unique_share: float = NEAR_UNIQUE_SHARE

    def to_json(self) -> dict[str, Any]:
        return {
            "roles": dict(self.roles),
            "insensitive": dict(self.insensitive),
            "acknowledged": dict(self.acknowledged),
            "overruled_detections": [u.to_json() for u in self.overruled_detections],
            "near_unique": [n.to_json() for n in self.near_unique],
            "duplicates": [d.to_json() for d in self.duplicates],
            "unchanged": [u.to_json() for u in self.unchanged],
            "near_unique_share": self.near_unique_share,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ReleaseGate:
        return cls(
            roles={str(k): str(v) for k, v in dict(_get(d, "roles", {})).items()},
            insensitive={str(k): str(v) for k, v in dict(_get(d, "insensitive", {})).items()},
            acknowledged={str(k): str(v) for k, v in dict(_get(d, "acknowledged", {})).items()},
            overruled_detections=tuple(
                UntreatedIdentifier.from_json(u) for u in _get(d, "overruled_detections", ())
            ),
            near_unique=tuple(NearUnique.from_json(n) for n in _get(d, "near_unique", ())),
            duplicates=tuple(Duplicate.from_json(x) for x in _get(d, "duplicates", ())),
            unchanged=tuple(Unchanged.from_json(u) for u in _get(d, "unchanged", ())),
            near_unique_share=float(_get(d, "near_unique_share", NEAR_UNIQUE_SHARE)),
        )


@dataclass(frozen=True)
class PolicySummary:
    """What the policy asked for: the criteria's model and parameters, the sensitive attribute,
    the quasi-identifiers (with their hierarchy heights), suppression limit and loss metric."""

    model: str
    parameters: dict[str, Any]
    sensitive: str | None
    quasi_identifiers: dict[str, int]
    max_suppression: float
    loss_metric: str
    t_closeness_distance: str | None = None
    # what t is measured against: "input" (the whole input table before suppression, as the
    # search enforces it and ARX defines it). None in reports made before it was stated.
    t_closeness_reference: str | None = None
    # the ceiling on every released record's prosecutor re-identification risk (1 / class size)
    risk_threshold: float | None = None
    # "mondrian" for local recoding; None: the optimal lattice search (reports made before it)
    algorithm: str | None = None
    # (δmin, δmax) the release must be δ-present within, against a population table
    delta_presence: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "parameters": dict(self.parameters),
            "sensitive": self.sensitive,
            "t_closeness_distance": self.t_closeness_distance,
            "quasi_identifiers": {
                col: {"hierarchy_height": h} for col, h in self.quasi_identifiers.items()
            },
            "max_suppression": self.max_suppression,
            "loss_metric": self.loss_metric,
        }
        # new keys only when set, so reports stored before them keep their digest
        if self.t_closeness_reference is not None:
            out["t_closeness_reference"] = self.t_closeness_reference
        if self.risk_threshold is not None:
            out["risk_threshold"] = self.risk_threshold
        if self.algorithm is not None:
            out["algorithm"] = self.algorithm
        if self.delta_presence is not None:
            out["delta_presence"] = {"min": self.delta_presence[0], "max": self.delta_presence[1]}
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> PolicySummary:
        qis = {}
        for col, info in dict(_get(d, "quasi_identifiers", {})).items():
            h = info.get("hierarchy_height") if isinstance(info, Mapping) else info
            qis[str(col)] = int(h) if isinstance(h, (int, float)) else 0
        return cls(
            model=str(_get(d, "model", "k-anonymity")),
            parameters=dict(_get(d, "parameters", {})),
            sensitive=_get(d, "sensitive"),
            quasi_identifiers=qis,
            max_suppression=float(_get(d, "max_suppression", 0.0)),
            loss_metric=str(_get(d, "loss_metric", "precision")),
            t_closeness_distance=_get(d, "t_closeness_distance"),
            t_closeness_reference=_get(d, "t_closeness_reference"),
            risk_threshold=_num(_get(d, "risk_threshold")),
            algorithm=_get(d, "algorithm"),
            delta_presence=_delta_pair(_get(d, "delta_presence")),
        )


def _delta_pair(d: Any) -> tuple[float, float] | None:
    if not isinstance(d, Mapping):
        return None
    return (float(d.get("min", 0.0)), float(d.get("max", 1.0)))


@dataclass(frozen=True)
class DeltaCheck:
    """δ-presence of the release within the population table: the smallest and largest share
    f / F over the released classes, and whether they lie within the policy's bounds."""

    low: float
    high: float
    passed: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DeltaCheck:
        return cls(
            low=float(_get(d, "low", 0.0)),
            high=float(_get(d, "high", 0.0)),
            passed=bool(_get(d, "passed", False)),
        )


def limits_from_json(d: Mapping[str, Any]) -> PolicyLimits:
    """The :class:`PolicyLimits` a report records."""
    base = PolicyLimits()
    return PolicyLimits(
        min_k=int(_get(d, "min_k", base.min_k)),
        max_epsilon=float(_get(d, "max_epsilon", base.max_epsilon)),
        default_epsilon_budget=float(
            _get(d, "default_epsilon_budget", base.default_epsilon_budget)
        ),
    )


class _Hashable:
    """``digest()`` for a report with ``to_json()``."""

    def to_json(self) -> dict[str, Any]:  # pragma: no cover - implemented by the reports
        raise NotImplementedError

    def canonical(self) -> bytes:
        """The RFC 8785 canonical JSON of the report (what is hashed)."""
        return canonical_json(self.to_json())

    def digest(self) -> str:
        """Hex SHA-256 of :meth:`canonical`: recorded as the report hash of a release."""
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass(frozen=True)
class AssessmentReport(_Hashable):
    """The adequacy assessment of a generalisation release."""

    passed: bool
    failures: tuple[str, ...]
    policy: PolicySummary
    levels: dict[str, int]
    records: Records
    privacy: PrivacyCheck
    equivalence_classes: ClassSizes
    risk: RiskSection | None
    utility: Utility
    search: Search = field(default_factory=Search)
    measures: tuple[MeasureStep, ...] = ()
    untreated_direct_identifiers: tuple[UntreatedIdentifier, ...] = ()
    gate: ReleaseGate | None = None  # None in reports made before the release gate
    version: int = REPORT_VERSION
    # the instance's floors and ceilings the release was held to (None: reports made before)
    limits: PolicyLimits | None = None
    delta_presence: DeltaCheck | None = None
    kind: ClassVar[str] = "assessment"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kind": self.kind,
            "passed": self.passed,
            "failures": list(self.failures),
            "policy": self.policy.to_json(),
            "transformation": {"levels": dict(self.levels)},
            "records": self.records.to_json(),
            "privacy": self.privacy.to_json(),
            "equivalence_classes": self.equivalence_classes.to_json(),
            "risk": None if self.risk is None else self.risk.to_json(),
            "utility": self.utility.to_json(),
            "search": self.search.to_json(),
            "measures": [m.to_json() for m in self.measures],
            "untreated_direct_identifiers": [
                u.to_json() for u in self.untreated_direct_identifiers
            ],
        } | self._new_sections()

    def _new_sections(self) -> dict[str, Any]:
        """Sections added after version 2, only when present: a stored report without them
        reads back to the same JSON, so its digest is unchanged."""
        out: dict[str, Any] = {}
        if self.gate is not None:
            out["gate"] = self.gate.to_json()
        if self.limits is not None:
            out["limits"] = self.limits.to_json()
        if self.delta_presence is not None:
            out["delta_presence"] = self.delta_presence.to_json()
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AssessmentReport:
        _check_version(d)
        risk = _get(d, "risk")
        return cls(
            passed=bool(_get(d, "passed", False)),
            failures=tuple(str(f) for f in _get(d, "failures", ())),
            policy=PolicySummary.from_json(_get(d, "policy", {})),
            levels={
                str(c): int(v)
                for c, v in dict(_get(_get(d, "transformation", {}), "levels", {})).items()
            },
            records=Records.from_json(_get(d, "records", {})),
            privacy=PrivacyCheck.from_json(_get(d, "privacy", {})),
            equivalence_classes=ClassSizes.from_json(_get(d, "equivalence_classes", {})),
            risk=RiskSection.from_json(risk) if risk else None,
            utility=Utility.from_json(_get(d, "utility", {})),
            search=Search.from_json(_get(d, "search", {})),
            measures=tuple(MeasureStep.from_json(m) for m in _get(d, "measures", ())),
            untreated_direct_identifiers=tuple(
                UntreatedIdentifier.from_json(u)
                for u in _get(d, "untreated_direct_identifiers", ())
            ),
            gate=ReleaseGate.from_json(d["gate"]) if _get(d, "gate") else None,
            limits=limits_from_json(lim) if isinstance(lim := _get(d, "limits"), Mapping) else None,
            delta_presence=DeltaCheck.from_json(dp)
            if isinstance(dp := _get(d, "delta_presence"), Mapping)
            else None,
        )

    @property
    def required_k(self) -> int | None:
        k = self.privacy.required.get("k", self.policy.parameters.get("k"))
        return int(k) if isinstance(k, (int, float)) else None


@dataclass(frozen=True)
class DPNoise:
    """One OpenDP measurement: mechanism, sensitivity, noise scale, epsilon spent and the 95%
    accuracy of one cell."""

    mechanism: str
    sensitivity: float
    scale: float
    epsilon: float
    accuracy_95: float | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DPNoise:
        return cls(
            mechanism=str(_get(d, "mechanism", "")),
            sensitivity=float(_get(d, "sensitivity", 0.0)),
            scale=float(_get(d, "scale", 0.0)),
            epsilon=float(_get(d, "epsilon", 0.0)),
            accuracy_95=_num(_get(d, "accuracy_95")),
        )


@dataclass(frozen=True)
class DPMeasure:
    """One released aggregate: its kind and column, the outputs, the budget it had and spent,
    and its noise (for a mean, the noise of its sum and count as ``components``)."""

    measure: str
    column: str
    outputs: tuple[str, ...]
    epsilon_budget: float
    epsilon: float
    mechanism: str
    noise: DPNoise | None = None
    components: dict[str, DPNoise] = field(default_factory=dict)
    bounds: tuple[float, float] | None = None
    details: dict[str, Any] = field(default_factory=dict)  # categories, centre, notes

    _FIELDS: ClassVar[tuple[str, ...]] = (
        "measure",
        "column",
        "outputs",
        "epsilon_budget",
        "epsilon",
        "mechanism",
        "sensitivity",
        "scale",
        "accuracy_95",
        "components",
        "bounds",
    )

    @property
    def scale(self) -> float | None:
        return self.noise.scale if self.noise else None

    @property
    def accuracy_95(self) -> float | None:
        return self.noise.accuracy_95 if self.noise else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "measure": self.measure,
            "column": self.column,
            "outputs": list(self.outputs),
            "epsilon_budget": self.epsilon_budget,
        }
        if self.noise is not None:
            out.update(self.noise.to_json())
        out["epsilon"] = self.epsilon
        out["mechanism"] = self.mechanism
        if self.components:
            out["components"] = {k: v.to_json() for k, v in self.components.items()}
            out["accuracy_95"] = None
        if self.bounds is not None:
            out["bounds"] = list(self.bounds)
        out.update(self.details)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DPMeasure:
        comps = dict(_get(d, "components", {}))
        bounds = _get(d, "bounds")
        return cls(
            measure=str(d.get("measure")),
            column=str(_get(d, "column", "*")),
            outputs=tuple(str(o) for o in _get(d, "outputs", ())),
            epsilon_budget=float(_get(d, "epsilon_budget", _get(d, "epsilon", 0.0))),
            epsilon=float(_get(d, "epsilon", 0.0)),
            mechanism=str(_get(d, "mechanism", "")),
            noise=None if comps or "scale" not in d else DPNoise.from_json(d),
            components={k: DPNoise.from_json(v) for k, v in comps.items()},
            bounds=(float(bounds[0]), float(bounds[1])) if bounds else None,
            details={k: v for k, v in d.items() if k not in cls._FIELDS},
        )


@dataclass(frozen=True)
class PrivacyUnit:
    """Who is protected: one person, who adds at most ``contributions`` rows."""

    contributions: int
    person: str | None
    enforced: bool
    neighbouring: str
    assumption: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> PrivacyUnit:
        return cls(
            contributions=int(_get(d, "contributions", 1)),
            person=_get(d, "person"),
            enforced=bool(_get(d, "enforced", False)),
            neighbouring=str(_get(d, "neighbouring", "")),
            assumption=str(_get(d, "assumption", "")),
        )


@dataclass(frozen=True)
class DPRows:
    """Exact row counts for the holder's assessment (not differentially private, not released)."""

    input: int
    out_of_domain: int
    over_contribution_limit: int
    without_person: int
    used: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> DPRows:
        return cls(
            input=int(_get(d, "input", 0)),
            out_of_domain=int(_get(d, "out_of_domain", 0)),
            over_contribution_limit=int(_get(d, "over_contribution_limit", 0)),
            without_person=int(_get(d, "without_person", 0)),
            used=int(_get(d, "used", 0)),
            note=str(_get(d, "note", "")),
        )


@dataclass(frozen=True)
class DPReport(_Hashable):
    """The report of a differential-privacy release: the budget and what was spent, the privacy
    unit, the declared domain, and the noise and accuracy of every measure."""

    passed: bool
    failures: tuple[str, ...]
    epsilon: float
    epsilon_spent: float
    records_original: int
    records_released: int
    cells: int
    group_by: dict[str, dict[str, Any]]
    measures: tuple[DPMeasure, ...]
    privacy_unit: PrivacyUnit
    rows: DPRows
    composition: str = ""
    arithmetic: str = ""
    post_processing: str = ""
    opendp: dict[str, Any] = field(default_factory=dict)
    max_epsilon: float | None = None  # the platform's ceiling on one release (PolicyLimits)
    budget: BudgetAccount | None = None  # the source dataset's privacy-loss account
    version: int = REPORT_VERSION
    kind: ClassVar[str] = "differential-privacy"
    model: ClassVar[str] = "differential-privacy"

    def to_json(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.max_epsilon is not None:
            extra["max_epsilon"] = self.max_epsilon
        if self.budget is not None:
            extra["budget"] = self.budget.to_json()
        return {
            "version": self.version,
            "kind": self.kind,
            "passed": self.passed,
            "failures": list(self.failures),
            "records": {"original": self.records_original, "released": self.records_released},
            "differential_privacy": {
                **extra,
                "epsilon": self.epsilon,
                "epsilon_spent": self.epsilon_spent,
                "composition": self.composition,
                "arithmetic": self.arithmetic,
                "privacy_unit": self.privacy_unit.to_json(),
                "cells": self.cells,
                "group_by": {c: dict(v) for c, v in self.group_by.items()},
                "measures": [m.to_json() for m in self.measures],
                "rows": self.rows.to_json(),
                "post_processing": self.post_processing,
                "opendp": dict(self.opendp),
            },
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DPReport:
        _check_version(d)
        return cls.from_section(
            _get(d, "differential_privacy", {}),
            passed=bool(_get(d, "passed", False)),
            failures=tuple(str(f) for f in _get(d, "failures", ())),
            records_original=int(_get(_get(d, "records", {}), "original", 0)),
            records_released=int(_get(_get(d, "records", {}), "released", 0)),
        )

    @classmethod
    def from_section(
        cls,
        s: Mapping[str, Any],
        *,
        passed: bool,
        failures: tuple[str, ...],
        records_original: int,
        records_released: int,
    ) -> DPReport:
        """The report from the ``differential_privacy`` section :mod:`datanuri.privacy.dp` makes."""
        return cls(
            passed=passed,
            failures=failures,
            epsilon=float(_get(s, "epsilon", 0.0)),
            epsilon_spent=float(_get(s, "epsilon_spent", 0.0)),
            records_original=records_original,
            records_released=records_released,
            cells=int(_get(s, "cells", 0)),
            group_by={str(c): dict(v) for c, v in dict(_get(s, "group_by", {})).items()},
            measures=tuple(DPMeasure.from_json(m) for m in _get(s, "measures", ())),
            privacy_unit=PrivacyUnit.from_json(_get(s, "privacy_unit", {})),
            rows=DPRows.from_json(_get(s, "rows", {})),
            composition=str(_get(s, "composition", "")),
            arithmetic=str(_get(s, "arithmetic", "")),
            post_processing=str(_get(s, "post_processing", "")),
            opendp=dict(_get(s, "opendp", {})),
            max_epsilon=float(s["max_epsilon"]) if s.get("max_epsilon") is not None else None,
            budget=BudgetAccount.from_json(s["budget"]) if s.get("budget") else None,
        )

    @property
    def budget_passed(self) -> bool:
        return self.epsilon_spent <= self.epsilon


Report: TypeAlias = AssessmentReport | DPReport


def _check_version(d: Mapping[str, Any]) -> None:
    version = d.get("version", 0) if isinstance(d, Mapping) else None
    if not isinstance(version, int) or not 0 <= version <= REPORT_VERSION:
        raise InvalidInput(M.MSG_REPORT_VERSION.format(version=version, latest=REPORT_VERSION))


def load_report(data: Report | Mapping[str, Any]) -> Report:
    """A typed report from its JSON (as stored, posted or written by the CLI). Reports stored
    before the typed format (version 0, plain dicts) are converted: their sections already had
    the shape the typed report reads, less the ``kind``, which is told by the presence of a
    ``differential_privacy`` section."""
    if isinstance(data, (AssessmentReport, DPReport)):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInput(M.MSG_REPORT_SHAPE.format(error="it is not a JSON object"))
    _check_version(data)
    kind = data.get("kind")
    if kind is None:  # version 0
        kind = DPReport.kind if data.get("differential_privacy") else AssessmentReport.kind
    try:
        if kind == DPReport.kind:
            return DPReport.from_json(data)
        if kind == AssessmentReport.kind:
            return AssessmentReport.from_json(data)
    except (TypeError, ValueError, AttributeError, IndexError) as e:
        raise InvalidInput(M.MSG_REPORT_SHAPE.format(error=str(e))) from None
    raise InvalidInput(M.MSG_REPORT_SHAPE.format(error=f"unknown kind {kind!r}"))


def with_policy_outcome(
    report: AssessmentReport,
    *,
    measures: Sequence[MeasureStep],
    untreated: Sequence[UntreatedIdentifier],
    failures: Sequence[str],
    classification: Mapping[str, Any] | None = None,
    gate: ReleaseGate | None = None,
) -> AssessmentReport:
    """``report`` with the policy-level results :func:`~datanuri.privacy.policy.apply_policy`
    adds: the measures applied, untreated identifiers, the utility check, the release gate's
    record and the failures."""
    utility = report.utility
    if classification is not None:
        utility = replace(utility, classification=dict(classification))
    all_failures = tuple(report.failures) + tuple(failures)
    return replace(
        report,
        measures=tuple(measures),
        untreated_direct_identifiers=tuple(untreated),
        gate=gate if gate is not None else report.gate,
        utility=utility,
        failures=all_failures,
        passed=not all_failures,
    )


# ----- building the report --------------------------------------------------------------------
def assessment(
    *,
    original: pa.Table,
    released: pa.Table,
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    levels: Mapping[str, int],
    criteria: tuple[Criterion, ...],
    sensitive: str | None = None,
    distance: str | None = None,
    order: Sequence[Any] | None = None,
    sensitive_hierarchy: TableHierarchy | None = None,
    suppressed: int = 0,
    max_suppression: float = 0.0,
    loss_metric: str = "precision",
    loss: float | None = None,
    population: pa.Table | None = None,
    risk_threshold: float = 0.2,
    search: Mapping[str, Any] | None = None,
    risk_ceiling: float | None = None,
    delta_presence: tuple[float, float] | None = None,
    limits: PolicyLimits | None = None,
    algorithm: str | None = None,
    per_column_loss: Mapping[str, ColumnLoss] | None = None,
) -> AssessmentReport:
    """The assessment report of ``released`` (suppressed records already removed) against
    ``criteria``. ``distance`` is the t-closeness distance the search resolved (for the record).
    t-closeness is measured against the sensitive distribution of ``original`` (the whole input
    before suppression), the definition the lattice search enforces (ARX's). ``risk_ceiling``
    fails a release with a record whose prosecutor risk exceeds it; ``delta_presence`` one not
    δ-present within ``population``. ``limits`` are recorded. ``per_column_loss`` replaces the
    full-domain loss per column (local recoding has no levels)."""
    n = original.num_rows
    qi = list(quasi_identifiers)
    model = model_name(criteria)
    extra = sensitive_criterion(criteria)
    failures: list[str] = []
    risk: RiskSection | None = None
    delta: DeltaCheck | None = None
    if isinstance(extra, TCloseness) and distance is not None and extra.distance is None:
        criteria = (criteria[0], replace(extra, distance=distance))  # type: ignore[arg-type]
    reference = (
        original.column(sensitive)
        if isinstance(extra, TCloseness) and sensitive and sensitive in original.column_names
        else None
    )
    if released.num_rows:
        mc = check_criteria(
            released,
            quasi_identifiers=qi,
            criteria=criteria,
            sensitive=sensitive,
            order=order,
            hierarchy=sensitive_hierarchy,
            reference=reference,
        )
        privacy = PrivacyCheck(
            model=model,
            passed=mc.passed,
            required=dict(mc.required),
            measured=Measured(mc.k, _finite(mc.l), _finite(mc.c), _finite(mc.t)),
            failing_classes=mc.failing_classes,
            failing_records=mc.failing_records,
        )
        if not privacy.passed:
            failures.append(
                f"{privacy.failing_classes} equivalence classes "
                f"({privacy.failing_records} records) do not satisfy {model}"
            )
        risk = RiskSection.of(
            assess_risk(
                released, quasi_identifiers=qi, population=population, threshold=risk_threshold
            )
        )
        if risk_ceiling is not None and risk.prosecutor.highest > risk_ceiling + 1e-12:
            failures.append(
                M.MSG_RISK_ABOVE_THRESHOLD.format(
                    highest=risk.prosecutor.highest, threshold=risk_ceiling
                )
            )
        if delta_presence is not None and population is not None:
            d = measure_delta(released, population=population, quasi_identifiers=qi)
            delta = DeltaCheck(d.delta_min, d.delta_max, d.satisfies(*delta_presence))
            if not delta.passed:
                failures.append(
                    M.MSG_DELTA_OUTSIDE.format(
                        low=d.delta_min,
                        high=d.delta_max,
                        delta_min=delta_presence[0],
                        delta_max=delta_presence[1],
                    )
                )
    else:
        privacy = PrivacyCheck(model, False, {"k": criteria[0].parameters()["k"]}, Measured())
        failures.append("every record was suppressed: nothing is released")
    allowed = math.floor(max_suppression * n + 1e-9)
    if suppressed > allowed:
        failures.append(
            f"{suppressed} records suppressed, more than the limit of {allowed} ({max_suppression:.1%})"
        )
    per_column = (
        dict(per_column_loss)
        if per_column_loss is not None
        else {
            col: ColumnLoss.from_json(
                column_loss(original, released, col, hierarchies[col], int(levels[col]), suppressed)
            )
            for col in qi
        }
    )
    sizes = ClassSizes.from_json(class_size_distribution(released, qi))
    ids_sizes = None
    if released.num_rows:
        ids, g = group_ids(released, qi)
        ids_sizes = np.bincount(ids, minlength=g)
    discernibility = (
        float((ids_sizes.astype(float) ** 2).sum() + suppressed * n)
        if ids_sizes is not None
        else float(suppressed * n)
    )
    parameters: dict[str, Any] = {"k": None, "l": None, "c": None, "t": None}
    for crit in criteria:
        parameters.update({k: v for k, v in crit.parameters().items() if k != "distance"})
    return AssessmentReport(
        passed=not failures,
        failures=tuple(failures),
        policy=PolicySummary(
            model=model,
            parameters=parameters,
            sensitive=sensitive,
            quasi_identifiers={col: hierarchies[col].height for col in qi},
            max_suppression=max_suppression,
            loss_metric=loss_metric,
            t_closeness_distance=distance,
            t_closeness_reference="input" if reference is not None else None,
            risk_threshold=risk_ceiling,
            algorithm=algorithm,
            delta_presence=delta_presence,
        ),
        levels={col: int(levels[col]) for col in qi if col in levels},
        records=Records(
            original=n,
            released=released.num_rows,
            suppressed=suppressed,
            suppressed_share=suppressed / n if n else 0.0,
            suppression_limit=allowed,
        ),
        privacy=privacy,
        equivalence_classes=sizes,
        risk=risk,
        utility=Utility.of(
            loss_metric=loss_metric,
            loss=loss,
            per_column=per_column,
            discernibility=discernibility,
            average_class_size=sizes.mean,
        ),
        search=Search.from_json(search or {}),
        limits=limits,
        delta_presence=delta,
    )


def linkable_pseudonyms(report: Report) -> list[MeasureStep]:
    """The pseudonymisation measures of ``report`` whose pseudonyms are linkable across releases
    (``"linkable": true``: the holder's key itself rather than a per-release key)."""
    if not isinstance(report, AssessmentReport):
        return []
    return [m for m in report.measures if m.measure == "pseudonymize" and m.options.get("linkable")]


def report_warnings(report: Report) -> list[str]:
    """What a reader of a passing report must still be told: linkable pseudonyms."""
    linked = linkable_pseudonyms(report)
    if not linked:
        return []
    return [
        M.MSG_PSEUDONYM_LINKABLE.format(
            columns=", ".join(repr(m.column) for m in linked),
            keys=", ".join(dict.fromkeys(repr(str(m.options.get("key"))) for m in linked)),
        )
    ]
