"""What the public may know of a de-identified release: the links between a personal source
dataset and its releases, and the release record as shown to those who are not its holder.

Pure functions over release rows and reports; `PrivacyService` decides who sees what (the
access policy) and calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from datanuri.privacy import messages as M
from datanuri.privacy.criteria import REGISTRY
from datanuri.privacy.report import AssessmentReport, Report

# Measure options the holder keeps: the per-release salt pseudonyms were derived with.
PRIVATE_OPTIONS = frozenset({"release_salt"})


@dataclass(frozen=True)
class ReleaseTerms:
    """The privacy model a release was held to, and its parameters (None when not used)."""

    model: str
    k: int | None = None
    l: float | None = None  # noqa: E741 (the criterion's own name)
    t: float | None = None
    epsilon: float | None = None  # differential-privacy releases


@dataclass(frozen=True)
class ReleaseLink:
    """One release as seen from the other dataset's page.

    `dataset` and `title` name the other side (the release seen from its source, or the source
    seen from its release); both are empty when the viewer may not know the source exists."""

    release_id: int
    dataset: str
    title: str
    version: int
    created_at: str
    terms: ReleaseTerms
    report_public: bool  # whether the viewer may open the adequacy report


def release_terms(report: Report) -> ReleaseTerms:
    """The model and k / l / t (or ε) a report records."""
    if isinstance(report, AssessmentReport):
        params = report.policy.parameters
        return ReleaseTerms(
            model=report.policy.model,
            k=_num(params.get("k"), int),
            l=_num(params.get("l"), float),
            t=_num(params.get("t"), float),
        )
    return ReleaseTerms(model=report.model, epsilon=report.epsilon)


def _num(value: Any, kind: type) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return kind(value)
    return None


def public_report(report: Report) -> Report:
    """`report` without what only the holder keeps (the pseudonyms' per-release salt); the key's
    name and fingerprint stay, as in the ledger."""
    if not isinstance(report, AssessmentReport):
        return report
    return replace(
        report,
        measures=tuple(
            replace(m, options={k: v for k, v in m.options.items() if k not in PRIVATE_OPTIONS})
            for m in report.measures
        ),
    )


# Metadata a new release dataset takes from its source unless the publisher changes it.
INHERITED_FIELDS = (
    "license",
    "theme",
    "keywords",
    "language",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
)


@dataclass(frozen=True)
class ReleaseMetadata:
    """How a new release dataset is described. None: taken from the source (the title and
    description: the defaults naming the source and the model); "" clears an inherited field."""

    title: str | None = None
    description: str | None = None
    license: str | None = None
    theme: str | None = None
    keywords: tuple[str, ...] | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    spatial: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None

    def fields(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """The new dataset's fields (title and description aside): the source's values of
        `INHERITED_FIELDS`, with the publisher's changes."""
        out = {k: source.get(k) for k in INHERITED_FIELDS if source.get(k) is not None}
        for k in INHERITED_FIELDS:
            given = getattr(self, k, None)
            if given is not None:
                out[k] = list(given) if k == "keywords" else (given or None)
        return {k: v for k, v in out.items() if v is not None}


def model_label(terms: ReleaseTerms, lang: str) -> tuple[str, str]:
    """(model, parameters) in words, e.g. ("k-익명성", "k=5"), for titles and descriptions."""
    i = 0 if lang == "ko" else 1
    if terms.epsilon is not None:
        return M.DP_MODEL[i], f"ε={terms.epsilon:g}"
    spec = REGISTRY.get(terms.model)
    label = spec.label[i] if spec is not None else terms.model
    params = ", ".join(
        f"{name}={value:g}"
        for name, value in (("k", terms.k), ("l", terms.l), ("t", terms.t))
        if value is not None
    )
    return label, params


def korean_date(day: dt.date, lang: str) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일" if lang == "ko" else day.isoformat()


def default_title(source_title: str, lang: str) -> str:
    """ "<source title> (비식별 처리본)" (English sources: "(de-identified)")."""
    return M.RELEASE_TITLE[0 if lang == "ko" else 1].format(title=source_title)


def default_description(
    source: str | None, version: int, terms: ReleaseTerms, day: dt.date, lang: str
) -> str:
    """What a new release dataset is: of which source version (None: a source the public may not
    know), under which model and parameters, and when."""
    i = 0 if lang == "ko" else 1
    model, params = model_label(terms, lang)
    when = korean_date(day, lang)
    if source is None:
        head = M.MSG_RELEASE_OF_HIDDEN
        return M.RELEASE_ABOUT_HIDDEN[i].format(head=head, model=model, params=params, date=when)
    head = M.MSG_RELEASE_OF.format(name=source, version=version)
    return M.RELEASE_ABOUT[i].format(
        head=head, source=source, version=version, model=model, params=params, date=when
    )
