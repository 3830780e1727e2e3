"""Privacy criteria as objects: each validates its own parameters and owns its defaults.

The engine checks k-anonymity always and at most one sensitive-attribute criterion with it
(l-diversity in three variants, or t-closeness). :data:`REGISTRY` maps each policy ``"model"``
name to its class with the parameters' names, types, defaults and Korean/English labels: the
policy parser reads it, and so does the wizard (served as JSON, never re-derived in JavaScript).
:class:`AnonymizationParams` bundles everything one anonymisation needs and validates it once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeAlias

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.hierarchies import Hierarchy
from datanuri.privacy.limits import PolicyLimits

Distance = Literal["equal", "ordered", "hierarchical"]
Loss = Literal["precision", "ncp", "intensity", "discernibility", "entropy"]
LOSSES: tuple[Loss, ...] = ("precision", "ncp", "intensity", "discernibility", "entropy")
DISTANCES: tuple[Distance, ...] = ("equal", "ordered", "hierarchical")
DEFAULT_K = 5
DEFAULT_L = 2
DEFAULT_C = 3.0
DEFAULT_T = 0.2
DEFAULT_SUPPRESSION = 0.05
DEFAULT_LOSS: Loss = "precision"
Algorithm = Literal["optimal", "mondrian"]
ALGORITHMS: tuple[Algorithm, ...] = ("optimal", "mondrian")
MONDRIAN_MODELS = ("k-anonymity", "distinct-l-diversity")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


@dataclass(frozen=True)
class KAnonymity:
    """Every equivalence class holds at least ``k`` records (always checked)."""

    k: int = DEFAULT_K
    name: ClassVar[str] = "k-anonymity"
    needs_sensitive: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not _is_int(self.k) or self.k < 1:
            raise InvalidInput(M.MSG_BAD_K.format(k=self.k))

    def parameters(self) -> dict[str, Any]:
        return {"k": self.k}


@dataclass(frozen=True)
class DistinctLDiversity:
    """Every class holds at least ``l`` distinct sensitive values."""

    l: int = DEFAULT_L  # noqa: E741 - the letter of the literature
    name: ClassVar[str] = "distinct-l-diversity"
    needs_sensitive: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_l(self.l)

    def parameters(self) -> dict[str, Any]:
        return {"l": self.l}


@dataclass(frozen=True)
class EntropyLDiversity:
    """The entropy of every class's sensitive values is at least ``log l``."""

    l: int = DEFAULT_L  # noqa: E741
    name: ClassVar[str] = "entropy-l-diversity"
    needs_sensitive: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_l(self.l)

    def parameters(self) -> dict[str, Any]:
        return {"l": self.l}


@dataclass(frozen=True)
class RecursiveCLDiversity:
    """In every class the most frequent sensitive value is rarer than ``c`` times the sum of the
    l-th and rarer ones."""

    c: float = DEFAULT_C
    l: int = DEFAULT_L  # noqa: E741
    name: ClassVar[str] = "recursive-cl-diversity"
    needs_sensitive: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_l(self.l)
        if not _is_number(self.c) or self.c <= 0:
            raise InvalidInput(M.MSG_BAD_C.format(c=self.c))

    def parameters(self) -> dict[str, Any]:
        return {"c": self.c, "l": self.l}


@dataclass(frozen=True)
class TCloseness:
    """Every class's sensitive distribution is within ``t`` of the table's (Earth Mover's
    Distance). ``distance`` None picks ordered for numbers, equal for categories."""

    t: float = DEFAULT_T
    distance: Distance | None = None
    name: ClassVar[str] = "t-closeness"
    needs_sensitive: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not _is_number(self.t) or not 0 <= self.t <= 1:
            raise InvalidInput(M.MSG_BAD_T.format(t=self.t))
        if self.distance is not None and self.distance not in DISTANCES:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what="EMD distance", value=self.distance, choices=", ".join(DISTANCES)
                )
            )

    def parameters(self) -> dict[str, Any]:
        return {"t": self.t} | ({"distance": self.distance} if self.distance else {})


def _check_l(l: Any) -> None:  # noqa: E741
    if not _is_int(l) or l < 1:
        raise InvalidInput(M.MSG_BAD_L.format(l=l))


SensitiveCriterion: TypeAlias = (
    DistinctLDiversity | EntropyLDiversity | RecursiveCLDiversity | TCloseness
)
Criterion: TypeAlias = KAnonymity | SensitiveCriterion
Model = Literal[
    "k-anonymity",
    "distinct-l-diversity",
    "entropy-l-diversity",
    "recursive-cl-diversity",
    "t-closeness",
]


# ----- the registry ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a criterion as a policy file and a form give it."""

    name: str
    type: Literal["int", "float", "choice"]
    default: Any
    label: tuple[str, str]  # (Korean, English)
    help: tuple[str, str]
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, Korean, English)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "label": {"ko": self.label[0], "en": self.label[1]},
            "help": {"ko": self.help[0], "en": self.help[1]},
            "min": self.minimum,
            "max": self.maximum,
            "choices": [{"value": v, "ko": ko, "en": en} for v, ko, en in self.choices],
        }


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion the engine checks: its class, parameters and labels."""

    cls: type[Criterion]
    label: tuple[str, str]
    help: tuple[str, str]
    params: tuple[ParamSpec, ...]

    @property
    def name(self) -> str:
        return self.cls.name

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "needs_sensitive": self.cls.needs_sensitive,
            "label": {"ko": self.label[0], "en": self.label[1]},
            "help": {"ko": self.help[0], "en": self.help[1]},
            "params": [p.to_json() for p in self.params],
        }


_K = ParamSpec(
    "k",
    "int",
    DEFAULT_K,
    ("k", "k"),
    (
        "같은 준식별자 값을 가진 레코드(동질집합)가 최소 k개가 되게 합니다. 재식별 위험은 최대 1/k.",
        "Every combination of quasi-identifier values (a class) holds at least k records: "
        "re-identification risk at most 1/k.",
    ),
    minimum=1,
)
_L = ParamSpec(
    "l",
    "int",
    DEFAULT_L,
    ("l", "l"),
    (
        "각 동질집합에 민감속성 값이 적어도 l개(엔트로피: 실질적으로 l개) 있게 합니다.",
        "Each class holds at least l distinct (entropy: l well-represented) sensitive values.",
    ),
    minimum=1,
)
_C = ParamSpec(
    "c",
    "float",
    DEFAULT_C,
    ("c", "c"),
    (
        "가장 흔한 민감값의 빈도가 나머지(l번째부터) 합의 c배보다 작게 합니다.",
        "The most frequent sensitive value is rarer than c times the sum of the l-th and rarer ones.",
    ),
    minimum=0.01,
)
_T = ParamSpec(
    "t",
    "float",
    DEFAULT_T,
    ("t", "t"),
    (
        "각 동질집합의 민감값 분포가 전체 분포와 t 이하로 떨어지게 합니다(EMD).",
        "Each class's sensitive-value distribution is within t of the whole table's "
        "(earth mover's distance).",
    ),
    minimum=0,
    maximum=1,
)
_DISTANCE = ParamSpec(
    "distance",
    "choice",
    None,
    ("거리", "Distance"),
    (
        "자동: 숫자는 순서 거리, 범주는 동일 거리.",
        "Automatic: ordered for numbers, equal for categories.",
    ),
    # hierarchical needs a hierarchy of the sensitive values, which only the Python API takes
    choices=(
        ("", "자동", "automatic"),
        ("equal", "동일 거리 (범주)", "equal (categories)"),
        ("ordered", "순서 거리 (숫자)", "ordered (numbers)"),
    ),
)

#: The criteria the engine checks, by policy model name (k-anonymity is checked with each).
REGISTRY: dict[str, CriterionSpec] = {
    spec.name: spec
    for spec in (
        CriterionSpec(
            KAnonymity,
            ("k-익명성", "k-anonymity"),
            ("k-익명성만 확인합니다.", "Checks k-anonymity only."),
            (),
        ),
        CriterionSpec(
            DistinctLDiversity,
            ("l-다양성 (distinct)", "distinct l-diversity"),
            ("민감속성 값이 동질집합마다 l가지 이상.", "At least l sensitive values per class."),
            (_L,),
        ),
        CriterionSpec(
            EntropyLDiversity,
            ("l-다양성 (엔트로피)", "entropy l-diversity"),
            (
                "동질집합마다 민감속성 값의 엔트로피가 log l 이상.",
                "Sensitive-value entropy of at least log l per class.",
            ),
            (_L,),
        ),
        CriterionSpec(
            RecursiveCLDiversity,
            ("재귀적 (c,l)-다양성", "recursive (c,l)-diversity"),
            (
                "가장 흔한 민감값이 지나치게 많지 않게 합니다.",
                "No sensitive value dominates a class.",
            ),
            (_C, _L),
        ),
        CriterionSpec(
            TCloseness,
            ("t-근접성", "t-closeness"),
            (
                "동질집합의 민감값 분포가 전체와 가깝게 합니다.",
                "Each class's sensitive distribution stays close to the table's.",
            ),
            (_T, _DISTANCE),
        ),
    )
}


#: Policy entries beside the model's parameters that a form offers: the risk ceiling and the
#: algorithm (δ-presence needs a population table, which only the API and CLI take).
OPTIONS: tuple[ParamSpec, ...] = (
    ParamSpec(
        "algorithm",
        "choice",
        "optimal",
        ("알고리즘", "Algorithm"),
        (
            "최적: 열마다 같은 수준으로 일반화하는 최적 탐색. 몬드리안: 레코드 묶음마다 따로 "
            "범위를 정하는 지역 재코딩(k-익명성과 l-다양성만, 삭제 없음).",
            "Optimal: the optimal search generalising each column to one level. Mondrian: local "
            "recoding with ranges per group of records (k-anonymity and l-diversity only, no "
            "suppression).",
        ),
        choices=(
            ("optimal", "최적 (전역 일반화)", "optimal (full-domain)"),
            ("mondrian", "몬드리안 (지역 재코딩)", "Mondrian (local recoding)"),
        ),
    ),
    ParamSpec(
        "risk_threshold",
        "float",
        None,
        ("재식별 위험 상한", "Re-identification risk ceiling"),
        (
            "공개되는 레코드 하나의 재식별 위험(검사자 모델: 1/동질집합 크기)의 최댓값. 비우면 "
            "k만 적용합니다. 예: 0.1 = 동질집합 10개 이상.",
            "The highest re-identification risk of any released record (prosecutor model: "
            "1 / class size). Empty: k alone. E.g. 0.1 = classes of at least 10.",
        ),
        minimum=0.001,
        maximum=1,
    ),
)


def registry_json() -> dict[str, Any]:
    """The registry as the wizard and ``GET /api/v1/privacy/criteria`` give it."""
    return {
        "always": _K.to_json(),
        "criteria": [spec.to_json() for spec in REGISTRY.values()],
        "defaults": {"max_suppression": DEFAULT_SUPPRESSION, "loss": DEFAULT_LOSS},
        "losses": list(LOSSES),
        "options": [spec.to_json() for spec in OPTIONS],
    }


def criteria_for(
    model: str,
    *,
    k: Any = None,
    l: Any = None,  # noqa: E741
    c: Any = None,
    t: Any = None,
    distance: Any = None,
    missing: Literal["default", "error"] = "default",
) -> tuple[Criterion, ...]:
    """The criteria of a ``model`` name and its loose parameters, k-anonymity first. A parameter
    given as None takes the criterion's default, or with ``missing="error"`` fails its
    validation. Raises :class:`InvalidInput` for an unknown model or a bad parameter."""
    spec = REGISTRY.get(model) if isinstance(model, str) else None
    if spec is None:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="privacy model", value=model, choices=", ".join(REGISTRY)
            )
        )
    given = {"k": k, "l": l, "c": c, "t": t, "distance": distance}

    def build(cls: type[Criterion], names: tuple[str, ...]) -> Criterion:
        kwargs = {
            n: given[n]
            for n in names
            if given[n] is not None or (missing == "error" and n != "distance")
        }
        return cls(**kwargs)

    kanon = build(KAnonymity, ("k",))
    if spec.cls is KAnonymity:
        return (kanon,)
    return (kanon, build(spec.cls, tuple(p.name for p in spec.params)))


def criteria_from_policy(policy: Mapping[str, Any]) -> tuple[Criterion, ...]:
    """The criteria of a policy file's ``model``, ``k``, ``l``, ``c``, ``t`` and ``distance``."""
    return criteria_for(
        policy.get("model", KAnonymity.name),
        k=policy.get("k"),
        l=policy.get("l"),
        c=policy.get("c"),
        t=policy.get("t"),
        distance=policy.get("distance") or None,
    )


def criteria_to_policy(criteria: tuple[Criterion, ...]) -> dict[str, Any]:
    """The policy-file keys of ``criteria``: ``{"model": ..., "k": ..., "l": ...}``."""
    out: dict[str, Any] = {"model": model_name(criteria)}
    for crit in criteria:
        out.update(crit.parameters())
    return out


def model_name(criteria: tuple[Criterion, ...]) -> str:
    """The policy model name: the sensitive criterion's, else k-anonymity."""
    extra = sensitive_criterion(criteria)
    return extra.name if extra is not None else KAnonymity.name


def k_of(criteria: tuple[Criterion, ...]) -> int:
    return next(c.k for c in criteria if isinstance(c, KAnonymity))


def sensitive_criterion(criteria: tuple[Criterion, ...]) -> SensitiveCriterion | None:
    return next((c for c in criteria if not isinstance(c, KAnonymity)), None)


def describe(criteria: tuple[Criterion, ...]) -> str:
    """``"recursive-cl-diversity (k=5, c=4, l=3)"``, for messages."""
    params = ", ".join(
        f"{key}={value}"
        for crit in criteria
        for key, value in crit.parameters().items()
        if key != "distance"
    )
    return f"{model_name(criteria)} ({params})"


# ----- one parameter bundle -------------------------------------------------------------------
@dataclass(frozen=True)
class AnonymizationParams:
    """Everything one anonymisation needs, validated once: the quasi-identifiers with their
    hierarchies, the sensitive attribute, the criteria (k-anonymity first), the suppression limit
    and the loss the optimum minimises."""

    quasi_identifiers: Mapping[str, Hierarchy]
    criteria: tuple[Criterion, ...] = field(default=(KAnonymity(),))
    sensitive: str | None = None
    max_suppression: float = DEFAULT_SUPPRESSION
    loss: Loss = DEFAULT_LOSS
    # the highest prosecutor re-identification risk (1 / class size) a released record may have
    risk_threshold: float | None = None
    # "optimal": full-domain generalisation by the lattice search; "mondrian": local recoding
    algorithm: Algorithm = "optimal"
    # (δmin, δmax) of δ-presence within a population table (given to apply_policy)
    delta_presence: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not self.quasi_identifiers:
            raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
        kinds = [type(c) for c in self.criteria]
        if kinds.count(KAnonymity) != 1 or len(self.criteria) > 2:
            raise InvalidInput(M.MSG_CRITERIA_SHAPE.format(got=describe_types(self.criteria)))
        extra = sensitive_criterion(self.criteria)
        if extra is not None and not self.sensitive:
            raise InvalidInput(M.MSG_NEEDS_SENSITIVE.format(model=extra.name))
        if self.sensitive and self.sensitive in self.quasi_identifiers:
            raise InvalidInput(M.MSG_SENSITIVE_IS_QI.format(column=self.sensitive))
        supp = self.max_suppression
        if not _is_number(supp) or not 0 <= supp <= 1:
            raise InvalidInput(M.MSG_BAD_SUPPRESSION.format(value=supp))
        if self.loss not in LOSSES:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what="loss metric", value=self.loss, choices=", ".join(LOSSES)
                )
            )
        risk = self.risk_threshold
        if risk is not None and (not _is_number(risk) or not 0 < risk <= 1):
            raise InvalidInput(M.MSG_BAD_RISK_THRESHOLD.format(value=risk))
        if self.algorithm not in ALGORITHMS:
            raise InvalidInput(M.MSG_BAD_ALGORITHM.format(value=self.algorithm))
        if self.algorithm == "mondrian" and self.model not in MONDRIAN_MODELS:
            raise InvalidInput(M.MSG_MONDRIAN_MODEL.format(model=self.model))
        delta = self.delta_presence
        if delta is not None and not (
            isinstance(delta, tuple)
            and len(delta) == 2
            and all(_is_number(x) for x in delta)
            and 0 <= delta[0] <= delta[1] <= 1
        ):
            raise InvalidInput(M.MSG_BAD_DELTA_PRESENCE.format(value=delta))

    @property
    def search_k(self) -> int:
        """The class size the search must reach: k, raised to 1 / risk_threshold (a record's
        prosecutor risk is 1 / its class size), so search and gate check the same ceiling."""
        if self.risk_threshold is None:
            return self.k
        return max(self.k, math.ceil(1.0 / self.risk_threshold - 1e-9))

    @property
    def k(self) -> int:
        return k_of(self.criteria)

    @property
    def model(self) -> str:
        return model_name(self.criteria)

    def engine_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`datanuri.privacy.anonymize.anonymize` for this bundle."""
        extra = sensitive_criterion(self.criteria)
        return {
            "quasi_identifiers": dict(self.quasi_identifiers),
            "model": self.model,
            "k": self.k,
            "l": getattr(extra, "l", None),
            "c": getattr(extra, "c", None),
            "t": getattr(extra, "t", None),
            "distance": getattr(extra, "distance", None),
            "sensitive": self.sensitive,
            "max_suppression": self.max_suppression,
            "loss": self.loss,
        }


def release_options(policy: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`AnonymizationParams` fields of a policy's ``risk_threshold``, ``algorithm``
    and ``delta_presence`` entries (validated by the bundle)."""
    out: dict[str, Any] = {}
    if policy.get("risk_threshold") is not None:
        out["risk_threshold"] = policy["risk_threshold"]
    if policy.get("algorithm") is not None:
        out["algorithm"] = policy["algorithm"]
    delta = policy.get("delta_presence")
    if delta is not None:
        if not isinstance(delta, Mapping) or set(delta) - {"min", "max"} or "max" not in delta:
            raise InvalidInput(M.MSG_BAD_DELTA_PRESENCE.format(value=delta))
        out["delta_presence"] = (delta.get("min", 0.0), delta["max"])
    return out


def check_floor(criteria: tuple[Criterion, ...], limits: PolicyLimits) -> None:
    """Refuse criteria whose k is below the instance's floor (``PolicyLimits.min_k``, set by
    administrators), whatever the model: every model includes k-anonymity."""
    k = k_of(criteria)
    if k < limits.min_k:
        raise InvalidInput(M.MSG_K_BELOW_FLOOR.format(k=k, min_k=limits.min_k))


def describe_types(criteria: tuple[Any, ...]) -> str:
    return ", ".join(getattr(c, "name", type(c).__name__) for c in criteria) or "none"
