"""Privacy policies: one document that says how a table is de-identified, and one function that
applies it and says whether the result may be released.

A policy is a plain dict (from JSON or YAML)::

    {
      "direct_identifiers": {                      # 조치: every direct identifier must be handled
        "성명": "delete",
        "주민등록번호": {"mask": {"keep": "birth_date_and_sex"}},
        "회원번호": {"pseudonymize": {"key": "holder-2026", "length": 20}},  # per release;
                                                   # "linkable": true for the same in every release
        "메모": "mask_identifiers"
      },
      "quasi_identifiers": {                       # generalised by the optimal lattice search
        "나이": "age",
        "주소지": {"korean_regions": "읍면동"},
        "학력": {"csv": "hierarchies/education.csv"},
        "방문일": "date",
        "우편번호": "postcode",
        "소득": {"intervals": [1000, 5000, 10000]}
      },
      "sensitive": "진단명",
      "model": "recursive-cl-diversity", "k": 5, "l": 3, "c": 4,
      "max_suppression": 0.01,
      "loss": "precision",
      "risk_threshold": 0.1,                       # optional: highest prosecutor risk a record may
                                                   # have (1 / class size)
      "algorithm": "optimal",                      # or "mondrian" (local recoding, k and distinct l)
      "delta_presence": {"min": 0, "max": 0.5},    # optional: needs apply_policy(population=...)
      "other": {                                   # optional measures on other columns
        "진료비": {"noise": {"scale": 1000, "seed": 7}},
        "체류일수": {"top_bottom": {"upper": 60}},
        "체중": {"microaggregate": {"k": 5}}
      },
      "utility_check": {"target": "진단명", "max_gap": 0.05},  # optional: same classifier on
                                                               # original and release, accuracy gap
      "insensitive": {"방문횟수": "a count of visits, no identifier"},  # released as it is, why
      "acknowledge": {"진료비": "noisy amounts, near-unique by design"}  # gate findings accepted
    }

Every column of the table must have a role: a measure under ``direct_identifiers`` or
``other``, a hierarchy under ``quasi_identifiers``, the ``sensitive`` attribute, or a reason under
``insensitive`` (released as it is; also the way to overrule a false detection). A column left
out is refused before any work (:data:`~datanuri.privacy.messages.MSG_GATE_UNCLASSIFIED`).

:func:`parse_policy` checks a policy against a table before any work (missing columns, unknown
measures, bad parameters, missing keys) and turns it into one
:class:`~datanuri.privacy.criteria.AnonymizationParams` (the ``model`` and its parameters become
criteria objects, each validated and defaulted by its class; see
:data:`~datanuri.privacy.criteria.REGISTRY`). :func:`apply_policy` then runs the measures, the
optimal generalisation and the assessment, then the release gate (:mod:`datanuri.privacy.gate`)
on the candidate, and refuses (``passed`` false, with the reasons) a result that would release a
column detection finds to be a direct identifier (at any confidence) untreated, an identifier value
unchanged by its measure, a near-unique column or a copy of a protected column that the publisher
did not acknowledge under ``acknowledge`` with a reason.

A policy with ``"model": "differential-privacy"`` releases noisy aggregates instead of rows; it is
validated and applied by :mod:`datanuri.privacy.dp` (see there for its shape).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.privacy import dp as DP
from datanuri.privacy import gate as G
from datanuri.privacy import messages as M
from datanuri.privacy import transforms as T
from datanuri.privacy.anonymize import anonymize_policy
from datanuri.privacy.criteria import (
    DEFAULT_LOSS,
    DEFAULT_SUPPRESSION,
    AnonymizationParams,
    criteria_from_policy,
    release_options,
)
from datanuri.privacy.detect import Detection, detect
from datanuri.privacy.gate import Unchanged
from datanuri.privacy.hierarchies import (
    DateHierarchy,
    Hierarchy,
    IntervalHierarchy,
    PrefixHierarchy,
    TableHierarchy,
    age_hierarchy,
    korean_regions,
    postcode_hierarchy,
)
from datanuri.privacy.identifiers import as_string_array, mask_identifiers
from datanuri.privacy.keys import derive_release_key, release_salt
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.report import (
    AssessmentReport,
    DPReport,
    MeasureStep,
    ReleaseGate,
    UntreatedIdentifier,
    with_policy_outcome,
)
from datanuri.privacy.utility import utility_check, validate_utility_check

DIRECT_MEASURES = ("delete", "mask", "pseudonymize", "mask_identifiers")
OTHER_MEASURES = (
    "noise",
    "top_bottom",
    "microaggregate",
    "mask",
    "pseudonymize",
    "mask_identifiers",
    "delete",
)
POLICY_KEYS = (
    "direct_identifiers",
    "quasi_identifiers",
    "sensitive",
    "model",
    "k",
    "l",
    "c",
    "t",
    "max_suppression",
    "loss",
    "other",
    "distance",
    "utility_check",
    "insensitive",
    "acknowledge",
    "risk_threshold",
    "algorithm",
    "delta_presence",
)
#: A detected direct identifier below this confidence may be overruled by the publisher (listed
#: under ``insensitive`` with the reason, recorded in the report): a header alone, or a record key
#: found by distinctness, can be wrong. At or above it header and values agree (or a checksum
#: holds), and only a measure releases the column.
OVERRULE_BELOW = 0.8
#: Measures that replace an identifier's values; each is checked to have changed every value.
IDENTIFIER_MEASURES = ("mask", "pseudonymize", "mask_identifiers")


@dataclass(frozen=True)
class PolicyResult:
    """A candidate release: the table, whether it may be released, and the assessment report."""

    table: pa.Table
    passed: bool
    report: AssessmentReport | DPReport


def load_policy(path: str | Path) -> dict[str, Any]:
    """Read a policy from a ``.json`` or ``.yaml``/``.yml`` file."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:  # pragma: no cover - depends on the environment
            raise InvalidInput(M.MSG_POLICY_YAML) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            raise InvalidInput(
                M.MSG_POLICY_SYNTAX.format(
                    name=p.name,
                    fmt="YAML",
                    problem=problem,
                    line=mark.line + 1 if mark else "?",
                    column=mark.column + 1 if mark else "?",
                )
            ) from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InvalidInput(
                M.MSG_POLICY_SYNTAX.format(
                    name=p.name, fmt="JSON", problem=e.msg, line=e.lineno, column=e.colno
                )
            ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            M.MSG_POLICY_PARSE.format(name=p.name, error="the top level is not a mapping")
        )
    return data


def _spec(value: Any) -> tuple[str, dict[str, Any]]:
    """``"delete"`` or ``{"mask": {...}}`` -> (name, options)."""
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and len(value) == 1:
        name, options = next(iter(value.items()))
        if options is None:
            options = {}
        if not isinstance(options, dict):
            options = {"value": options}
        return str(name), dict(options)
    raise InvalidInput(M.MSG_POLICY_BAD_MEASURE.format(value=value))


def build_hierarchy(column: str, spec: Any, *, base_dir: Path | None = None) -> Hierarchy:
    """A hierarchy from its policy spec: ``"age"``, ``"date"``, ``"postcode"``,
    ``{"korean_regions": "시군구"}``, ``{"intervals": [5, 10]}``, ``{"prefix": [5, 3, 0]}``,
    ``{"csv": "file.csv"}`` or ``{"rows": [[leaf, level1, ...], ...]}``."""
    name, opts = _spec(spec)
    value = opts.get("value")
    if name == "age":
        return age_hierarchy()
    if name == "date":
        return DateHierarchy()
    if name == "postcode":
        return postcode_hierarchy()
    if name == "korean_regions":
        return korean_regions(leaf=value or "읍면동")
    if name == "intervals":
        widths = value if value is not None else opts.get("widths")
        return IntervalHierarchy(
            tuple(widths or ()), start=opts.get("start", 0), integer=opts.get("integer", True)
        )
    if name == "prefix":
        return PrefixHierarchy(tuple(value if value is not None else opts.get("keep", ())))
    if name == "csv":
        path = Path(value if value is not None else opts.get("path", ""))
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise InvalidInput(M.MSG_POLICY_FILE_MISSING.format(column=column, path=str(path)))
        return TableHierarchy.from_csv(path)
    if name == "rows":
        return TableHierarchy.from_rows(value or opts.get("rows", []), name=column)
    raise InvalidInput(
        M.MSG_UNKNOWN_OPTION.format(
            what=f"hierarchy for {column!r}",
            value=name,
            choices="age, date, postcode, korean_regions, intervals, prefix, csv, rows",
        )
    )


def validate_policy(
    table: pa.Table,
    policy: Mapping[str, Any],
    *,
    keys: Mapping[str, bytes] | None = None,
    base_dir: Path | None = None,
    limits: PolicyLimits | None = None,
) -> AnonymizationParams | None:
    """Check ``policy`` against ``table`` before any work: the anonymisation parameters, or None
    for a differential-privacy policy (checked by :mod:`datanuri.privacy.dp`)."""
    if DP.is_dp(policy):
        limits = limits or PolicyLimits()
        DP.check_identifiers(table, DP.plan(table, policy, max_epsilon=limits.max_epsilon))
        return None
    return parse_policy(table, policy, keys=keys, base_dir=base_dir)


def parse_policy(
    table: pa.Table,
    policy: Mapping[str, Any],
    *,
    keys: Mapping[str, bytes] | None = None,
    base_dir: Path | None = None,
    rows: int | None = None,
) -> AnonymizationParams:
    """The anonymisation parameters of a (non-DP) ``policy`` for ``table``, every part checked:
    columns, measures and their keys, the criteria, suppression, loss and hierarchy coverage.
    ``rows``: the whole table's row count when ``table`` is a sample of it (k is checked
    against it; the engine path checks hierarchy coverage on the whole table itself)."""
    unknown = [key for key in policy if key not in POLICY_KEYS]
    if unknown:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="policy entry", value=unknown[0], choices=", ".join(POLICY_KEYS)
            )
        )
    columns = table.column_names
    direct = dict(policy.get("direct_identifiers") or {})
    quasi = dict(policy.get("quasi_identifiers") or {})
    other = dict(policy.get("other") or {})
    sensitive = policy.get("sensitive")
    insensitive = reasons(policy, "insensitive")
    acknowledged = reasons(policy, "acknowledge")
    named = (
        list(direct)
        + list(quasi)
        + list(other)
        + ([sensitive] if sensitive else [])
        + list(insensitive)
        + list(acknowledged)
    )
    for col in named:
        if col not in columns:
            raise InvalidInput(M.MSG_MISSING_COLUMN.format(column=col, columns=", ".join(columns)))
    seen: dict[str, str] = {}
    for section, cols in (
        ("direct_identifiers", direct),
        ("quasi_identifiers", quasi),
        ("other", other),
        ("sensitive", [sensitive] if sensitive else []),
        ("insensitive", insensitive),
    ):
        for col in cols:
            if col in seen:
                raise InvalidInput(
                    M.MSG_POLICY_TWICE.format(column=col, first=seen[col], second=section)
                )
            seen[col] = section
    unclassified = [c for c in columns if c not in seen]
    if unclassified:
        raise InvalidInput(
            M.MSG_GATE_UNCLASSIFIED.format(
                columns=", ".join(repr(c) for c in unclassified), example=unclassified[0]
            )
        )
    for col in acknowledged:
        if col in direct and _spec(direct[col])[0] == "delete":
            raise InvalidInput(M.MSG_GATE_ACK_NOT_RELEASED.format(column=col))
    for col, spec in list(direct.items()) + list(other.items()):
        name, opts = _spec(spec)
        allowed = DIRECT_MEASURES if col in direct else OTHER_MEASURES
        if name not in allowed:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what=f"measure for {col!r}", value=name, choices=", ".join(allowed)
                )
            )
        if name == "pseudonymize":
            ref = opts.get("key")
            if not keys or ref not in keys:
                raise InvalidInput(M.MSG_POLICY_KEY_MISSING.format(column=col, key=ref))
            if not isinstance(opts.get("linkable", False), bool):
                raise InvalidInput(
                    M.MSG_PSEUDONYM_BAD_LINKABLE.format(column=col, value=opts["linkable"])
                )
    if not quasi:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    if policy.get("utility_check") is not None:
        validate_utility_check(table, policy["utility_check"])
    criteria = criteria_from_policy(policy)
    params = AnonymizationParams(
        quasi_identifiers={
            col: build_hierarchy(col, spec, base_dir=base_dir) for col, spec in quasi.items()
        },
        criteria=criteria,
        sensitive=sensitive,
        max_suppression=policy.get("max_suppression", DEFAULT_SUPPRESSION),
        loss=policy.get("loss", DEFAULT_LOSS),
        **release_options(policy),
    )
    total = table.num_rows if rows is None else rows
    if params.k > total:
        raise InvalidInput(M.MSG_K_TOO_LARGE.format(k=params.k, rows=total))
    # every value of every quasi-identifier must be covered (raises with the missing values)
    for col, h in params.quasi_identifiers.items():
        T.generalize(table.column(col), h, 0, column=col)
        T.generalize(table.column(col), h, h.height - 1, column=col)
    return params


def reasons(policy: Mapping[str, Any], section: str) -> dict[str, str]:
    """The ``{column: reason}`` mapping of ``section`` (``insensitive``, ``acknowledge``), every
    reason non-empty text: the publisher's word goes into the report."""
    value = policy.get(section)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(M.MSG_GATE_REASONS_SHAPE.format(section=section))
    out: dict[str, str] = {}
    for col, why in value.items():
        if not isinstance(why, str) or not why.strip():
            raise InvalidInput(M.MSG_GATE_NO_REASON.format(column=col, section=section))
        out[str(col)] = why.strip()
    return out


def _measure(
    table: pa.Table, col: str, spec: Any, keys: Mapping[str, bytes], salt: bytes
) -> tuple[pa.Table, MeasureStep]:
    name, opts = _spec(spec)
    if name == "delete":
        return T.delete(table, [col]), MeasureStep(col, name)
    values = table.column(col)
    if name == "mask":
        if "keep" in opts:
            new = T.mask_rrn(values, keep=opts["keep"])
        else:
            new = T.mask(
                values,
                keep_start=int(opts.get("keep_start", 0)),
                keep_end=int(opts.get("keep_end", 0)),
                char=str(opts.get("char", "*")),
            )
    elif name == "pseudonymize":
        # per release by default: a key derived with this release's salt, so two releases under
        # one holder key cannot be joined on the pseudonyms; "linkable": the holder's key itself
        linkable = bool(opts.get("linkable", False))
        key = keys[opts["key"]] if linkable else derive_release_key(keys[opts["key"]], salt)
        new = T.pseudonymize(values, key=key, length=opts.get("length"))
        opts = {**opts, "linkable": linkable}
        if not linkable:
            opts["release_salt"] = salt.hex()
    elif name == "mask_identifiers":
        new = mask_identifiers(values)
    elif name == "noise":
        new = T.add_noise(
            values,
            scale=float(opts.get("scale", 0)),
            distribution=opts.get("distribution", "laplace"),
            seed=opts.get("seed"),
            round_to=opts.get("round_to"),
            column=col,
        )
    elif name == "top_bottom":
        new = T.top_bottom_code(
            values, lower=opts.get("lower"), upper=opts.get("upper"), column=col
        )
    elif name == "microaggregate":
        new = T.microaggregate(
            values, k=int(opts.get("k", 5)), statistic=opts.get("statistic", "mean"), column=col
        )
    else:  # pragma: no cover - validated before
        raise InvalidInput(M.MSG_POLICY_BAD_MEASURE.format(value=spec))
    # for pseudonymisation, the key's name (opts["key"]), never the key
    return T.replace_column(table, col, new), MeasureStep(col, name, dict(opts))


def apply_policy(
    table: pa.Table,
    policy: Mapping[str, Any],
    *,
    keys: Mapping[str, bytes] | None = None,
    base_dir: Path | None = None,
    detection_threshold: float = 0.0,
    population: pa.Table | None = None,
    limits: PolicyLimits | None = None,
    salt: bytes | None = None,
) -> PolicyResult:
    """Apply ``policy`` to ``table``: measures on direct identifiers and other columns, optimal
    generalisation of the quasi-identifiers, assessment, and the release gate on the candidate.
    Bad policies (a column without a role among them) raise before any work; a policy that does
    not reach its criteria, or whose candidate fails the gate, gives ``passed=False`` with the
    reasons in ``report.failures``. ``detection_threshold`` is the least confidence at which a
    detected direct identifier counts for the gate (0: every one, however unsure).

    ``salt`` is the per-release value pseudonyms are derived with (a fresh random one if None;
    recorded in the report's measures); ``"linkable": true`` pseudonymises with the key itself."""
    limits = limits or PolicyLimits()
    if DP.is_dp(policy):
        return PolicyResult(
            *DP.apply_dp(
                table,
                policy,
                detection_threshold=DP.DETECTION_THRESHOLD,
                max_epsilon=limits.max_epsilon,
            )
        )
    keys = dict(keys or {})
    salt = salt if salt is not None else release_salt()
    params = parse_policy(table, policy, keys=keys, base_dir=base_dir)
    steps: list[MeasureStep] = []
    out = table
    for col, spec in dict(policy.get("direct_identifiers") or {}).items():
        out, step = _measure(out, col, spec, keys, salt)
        steps.append(step)
    for col, spec in dict(policy.get("other") or {}).items():
        out, step = _measure(out, col, spec, keys, salt)
        steps.append(step)
    result = anonymize_policy(out, params, population=population, limits=limits)
    outcome = release_gate(
        table,
        out,
        result.table,
        policy,
        kept=result.kept,
        detection_threshold=detection_threshold,
    )
    failures = list(outcome.failures)
    section = None
    if policy.get("utility_check") is not None:  # against the raw input: every measure counts
        section = utility_check(table, result.table, policy["utility_check"], kept=result.kept)
        if section.get("failure"):
            failures.append(section["failure"])
    report = with_policy_outcome(
        AssessmentReport.from_json(result.report),
        measures=steps,
        untreated=outcome.untreated,
        failures=failures,
        classification=section,
        gate=outcome.section,
    )
    return PolicyResult(result.table, report.passed, report)


@dataclass(frozen=True)
class GateOutcome:
    """What the release gate found on a candidate: refusals, untreated identifiers, the section."""

    failures: tuple[str, ...]
    untreated: tuple[UntreatedIdentifier, ...]
    section: ReleaseGate


def _roles(policy: Mapping[str, Any]) -> dict[str, str]:
    """The role of every column the policy names (as its section's name)."""
    roles: dict[str, str] = {}
    for col in policy.get("direct_identifiers") or {}:
        roles[col] = "direct_identifiers"
    for col in policy.get("quasi_identifiers") or {}:
        roles[col] = "quasi_identifiers"
    for col in policy.get("other") or {}:
        roles[col] = "other"
    if policy.get("sensitive"):
        roles[str(policy["sensitive"])] = "sensitive"
    for col in reasons(policy, "insensitive"):
        roles[col] = "insensitive"
    return roles


def _measures(policy: Mapping[str, Any]) -> dict[str, str]:
    """The measure name of every column under ``direct_identifiers`` and ``other``."""
    return {
        col: _spec(spec)[0]
        for section in ("direct_identifiers", "other")
        for col, spec in dict(policy.get(section) or {}).items()
    }


def detection_findings(
    detection: Detection, policy: Mapping[str, Any], *, detection_threshold: float = 0.0
) -> tuple[list[str], list[UntreatedIdentifier], list[UntreatedIdentifier]]:
    """Gate rule 1 on a detection of the source: (failures, untreated, overruled). A direct
    identifier at any confidence needs a treatment, or (below :data:`OVERRULE_BELOW`) a reason."""
    roles = _roles(policy)
    measures = _measures(policy)
    failures: list[str] = []
    untreated: list[UntreatedIdentifier] = []
    overruled: list[UntreatedIdentifier] = []
    for f in detection.columns:
        if f.category != "direct" or f.confidence < detection_threshold:
            continue
        role = roles.get(f.column)
        finding = UntreatedIdentifier.from_json(f.to_dict())
        if role in ("direct_identifiers", "quasi_identifiers"):
            continue
        if role == "other" and measures.get(f.column) in (*IDENTIFIER_MEASURES, "delete"):
            continue
        if role == "insensitive" and f.confidence < OVERRULE_BELOW:
            overruled.append(finding)
            continue
        if role == "insensitive":
            untreated.append(finding)
            failures.append(
                M.MSG_GATE_CANNOT_OVERRULE.format(
                    column=f.column, kind=f.kind, confidence=f.confidence, limit=OVERRULE_BELOW
                )
            )
            continue
        how = (
            "as the sensitive attribute, unchanged"
            if role == "sensitive"
            else f"with only the measure {measures.get(f.column)!r}, which leaves it identifying"
        )
        untreated.append(finding)
        failures.append(
            M.MSG_GATE_DETECTED_DIRECT.format(
                column=f.column, kind=f.kind, confidence=f.confidence, how=how
            )
        )
    return failures, untreated, overruled


def near_unique_findings(
    found: Sequence[G.NearUnique], policy: Mapping[str, Any]
) -> tuple[list[G.NearUnique], list[str]]:
    """Gate rule 3 on the near-unique released columns found: (recorded, failures). Refused
    unless acknowledged; a pseudonym is one token per person by design: named, not refused."""
    measures = _measures(policy)
    acknowledged = reasons(policy, "acknowledge")
    near_unique, failures = [], []
    for nu in found:
        pseudonym = measures.get(nu.column) == "pseudonymize"
        ack = acknowledged.get(nu.column)
        near_unique.append(replace(nu, acknowledged=ack))
        if ack is None and not pseudonym:
            failures.append(
                M.MSG_GATE_NEAR_UNIQUE.format(
                    column=nu.column, share=nu.unique_share, limit=G.NEAR_UNIQUE_SHARE
                )
            )
    return near_unique, failures


def copy_candidates(
    policy: Mapping[str, Any], released: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Gate rule 4's columns: (released columns that could copy a protected one, protected
    columns: the quasi-identifiers and direct identifiers)."""
    roles = _roles(policy)
    measures = _measures(policy)
    protected = [c for c, r in roles.items() if r in ("quasi_identifiers", "direct_identifiers")]
    copies = [
        c
        for c in released
        if roles.get(c) in ("sensitive", "other", "insensitive")
        and measures.get(c) not in IDENTIFIER_MEASURES
    ]
    return copies, protected


def duplicate_findings(
    found: Sequence[G.Duplicate], policy: Mapping[str, Any]
) -> tuple[list[G.Duplicate], list[str]]:
    """Gate rule 4 on the copies found: (recorded, failures), refused unless acknowledged."""
    roles = _roles(policy)
    acknowledged = reasons(policy, "acknowledge")
    duplicates, failures = [], []
    for d in found:
        ack = acknowledged.get(d.column)
        duplicates.append(replace(d, acknowledged=ack))
        if ack is None:
            role = "quasi-identifier" if roles[d.of] == "quasi_identifiers" else "direct identifier"
            failures.append(
                M.MSG_GATE_DUPLICATE.format(
                    column=d.column,
                    how="an exact copy" if d.exact else "a one-to-one relabelling",
                    role=role,
                    of=d.of,
                    treatment="ungeneralised" if role == "quasi-identifier" else "untreated",
                )
            )
    return duplicates, failures


def gate_section(
    policy: Mapping[str, Any],
    *,
    overruled: Sequence[UntreatedIdentifier],
    near_unique: Sequence[G.NearUnique],
    duplicates: Sequence[G.Duplicate],
    unchanged: Sequence[Unchanged],
) -> ReleaseGate:
    """The report's record of the gate."""
    return ReleaseGate(
        roles=dict(_roles(policy)),
        insensitive=dict(reasons(policy, "insensitive")),
        acknowledged=dict(reasons(policy, "acknowledge")),
        overruled_detections=tuple(overruled),
        near_unique=tuple(near_unique),
        duplicates=tuple(duplicates),
        unchanged=tuple(unchanged),
        near_unique_share=G.NEAR_UNIQUE_SHARE,
    )


def release_gate(
    source: pa.Table,
    measured: pa.Table,
    candidate: pa.Table,
    policy: Mapping[str, Any],
    *,
    kept: Any = None,
    detection_threshold: float = 0.0,
) -> GateOutcome:
    """The release gate on a candidate: ``source`` is the input, ``measured`` the input after the
    measures (same records, before generalisation and suppression), ``candidate`` the release.
    Refuses a detected direct identifier released untreated (at any confidence; one below
    :data:`OVERRULE_BELOW` the publisher may overrule under ``insensitive`` with a reason), an
    identifier measure that left a value unchanged, and an unacknowledged near-unique column or
    copy of a protected column. The findings and reasons go into the report's gate section."""
    measures = _measures(policy)

    # 1. detection: a direct identifier at any confidence needs a treatment or a reason
    failures, untreated, overruled = detection_findings(
        detect(source), policy, detection_threshold=detection_threshold
    )

    # 2. identifier measures must change every value
    unchanged: list[Unchanged] = []
    keep_mask = None if kept is None else np.asarray(kept, dtype=bool)
    for col, measure in measures.items():
        if measure not in IDENTIFIER_MEASURES:
            continue
        before, after = source.column(col), measured.column(col)
        same, count, values = G.unchanged_values(before, after, kept=keep_mask)
        if count and measure == "mask_identifiers" and count < values:
            # text it left as it is held no identifier it knows; fine unless detection still
            # calls those texts (under the column's own header) a direct identifier
            rest = pa.table({col: as_string_array(before).filter(same)})
            if detect(rest).columns[0].category != "direct":
                count = 0
        if count:
            unchanged.append(Unchanged(col, measure, count, values))
            failures.append(
                M.MSG_GATE_UNCHANGED.format(
                    measure=measure, column=col, unchanged=count, values=values
                )
            )

    # 3. near-unique released columns: named either way, refused unless acknowledged
    released = candidate.column_names
    near_unique, refused = near_unique_findings(G.near_unique_columns(candidate, released), policy)
    failures += refused

    # 4. a released copy (or relabelling) of a protected column, compared after the measures
    copies, protected = copy_candidates(policy, released)
    duplicates, refused = duplicate_findings(
        G.duplicate_columns(
            {name: measured.column(name) for name in copies},
            {name: source.column(name) for name in protected},
        ),
        policy,
    )
    failures += refused

    section = gate_section(
        policy,
        overruled=overruled,
        near_unique=near_unique,
        duplicates=duplicates,
        unchanged=unchanged,
    )
    return GateOutcome(tuple(failures), tuple(untreated), section)
