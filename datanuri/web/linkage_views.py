"""What the linkage zone's console pages show, computed apart from the routes: which steps the
caller's roles offer, the linkage report drawn as bars (the score histogram with its threshold),
and the forms read into the zone's drafts and options.

The zone's own rules (who may do what) stay in `datanuri.linkage.zone`; what is here only
decides what a page offers, and the service refuses anything it should not do anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_args

from datanuri.linkage.listing import OPERATOR, ZONE_SIDE
from datanuri.linkage.match import LinkOptions, Method, ProbField
from datanuri.linkage.tokenize import CLK_COLUMN
from datanuri.linkage.zone import ExportDraft, HolderRef, ProjectDraft, ProjectInfo

TEXT = 10_000  # characters read from a form's text field (the service holds the real limits)
SQL = 20_000
HOLDER_ROWS = 5  # holder rows on the new-project form
METHODS: tuple[str, ...] = get_args(Method)


@dataclass(frozen=True)
class Can:
    """The steps the caller's roles offer on an open project."""

    issue_salt: bool = False
    upload: bool = False
    match: bool = False
    query: bool = False
    export: bool = False
    review: bool = False
    close: bool = False
    see_zone: bool = False  # the report and the exports (not for key authority or holders)


def can_do(info: ProjectInfo, roles: tuple[str, ...], *, admin: bool) -> Can:
    """What a person with `roles` (and admin or not) may do in the project now."""
    zone_side = admin or bool(ZONE_SIDE & set(roles))
    if info.status != "open":
        return Can(see_zone=zone_side)
    close = admin or OPERATOR in roles  # an expired project is still closed (its data destroyed)
    if info.expires_on < dt.date.today():
        return Can(close=close, see_zone=zone_side)
    analyst = "analyst" in roles
    return Can(
        issue_salt="key_authority" in roles and info.salt_fingerprint is None,
        upload="holder" in roles,
        match=analyst,
        query=analyst,
        export=analyst,
        review="reviewer" in roles,
        close=close,
        see_zone=zone_side,
    )


@dataclass(frozen=True)
class Bar:
    """One bin of the score histogram: its range, count, height (per cent of the tallest) and
    whether its scores are at or above the threshold."""

    lo: float
    hi: float
    count: int
    height: float
    accepted: bool


@dataclass(frozen=True)
class ReportView:
    """A match run's report as the page shows it."""

    method: str
    pairs: tuple[Mapping[str, Any], ...]
    bars: tuple[Bar, ...]
    threshold: float | None
    precision: float | None
    recall: float | None
    unmatched: tuple[Mapping[str, Any], ...]
    weights: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


def report_view(report: Mapping[str, Any]) -> ReportView:
    """The report of `LinkageReport.to_dict` with its histogram as bars."""
    hist = report.get("histogram") or {}
    edges, counts = list(hist.get("edges") or []), list(hist.get("counts") or [])
    threshold = report.get("threshold")
    top = max(counts, default=0) or 1
    bars = tuple(
        Bar(
            float(edges[i]),
            float(edges[i + 1]),
            int(c),
            round(100.0 * c / top, 1),
            threshold is not None and float(edges[i]) >= float(threshold),
        )
        for i, c in enumerate(counts)
    )
    return ReportView(
        method=str(report.get("method", "")),
        pairs=tuple(report.get("pairs") or ()),
        bars=bars,
        threshold=threshold,
        precision=report.get("precision"),
        recall=report.get("recall"),
        unmatched=tuple(report.get("unmatched") or ()),
        weights=tuple(report.get("weights") or ()),
    )


def _text(form: Mapping[str, Any], key: str, limit: int = TEXT) -> str:
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _list(text: str) -> tuple[str, ...]:
    """Items written one per line or separated by commas."""
    return tuple(x.strip() for x in text.replace("\n", ",").split(",") if x.strip())


@dataclass(frozen=True)
class ProjectForm:
    """The new-project form's values (kept on an error) and the draft they make."""

    values: Mapping[str, str]
    holders: tuple[tuple[str, str], ...]  # (organisation, e-mail) per row, blanks kept

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> ProjectForm:
        keys = ("name", "purpose", "legal_basis", "operator", "key_authority", "analysts")
        values = {k: _text(form, k) for k in (*keys, "reviewers", "expires_on")}
        holders = tuple(
            (_text(form, f"holder_org_{i}", 100), _text(form, f"holder_email_{i}", 320))
            for i in range(HOLDER_ROWS)
        )
        return cls(values, holders)

    @classmethod
    def blank(cls, operator: str) -> ProjectForm:
        expires = dt.date.today() + dt.timedelta(days=365)
        values = {"operator": operator, "expires_on": expires.isoformat()}
        return cls(values, tuple(("", "") for _ in range(HOLDER_ROWS)))

    def missing(self) -> tuple[str, ...]:
        """The required fields left empty (the service checks the rest)."""
        required = ("name", "purpose", "legal_basis", "operator", "key_authority", "expires_on")
        return tuple(k for k in (*required, "analysts", "reviewers") if not self.values.get(k))

    def draft(self) -> ProjectDraft:
        """The zone's draft (call after `missing` is empty)."""
        return ProjectDraft(
            name=self.values["name"],
            purpose=self.values["purpose"],
            legal_basis=self.values["legal_basis"],
            operator=self.values["operator"],
            key_authority=self.values["key_authority"],
            holders=tuple(HolderRef(o, e) for o, e in self.holders if o and e),
            analysts=_list(self.values["analysts"]),
            reviewers=_list(self.values["reviewers"]),
            expires_on=dt.date.fromisoformat(self.values["expires_on"]),
        )


def methods_for(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The match methods the holders' uploads allow: CLK similarity only when all have a CLK."""
    return tuple(m for m in METHODS if m != "clk" or CLK_COLUMN in keys)


def match_options(form: Mapping[str, Any]) -> LinkOptions:
    """The match form as options: the method, its rules or fields, the columns to report
    unmatched rates by."""
    method = _text(form, "method", 20)
    group_by = _list(_text(form, "group_by", 500))
    if method == "rules":
        rules = tuple(
            tuple(k.strip() for k in line.split("+") if k.strip())
            for line in _text(form, "rules", 2000).splitlines()
            if line.strip()
        )
        return LinkOptions(method="rules", rules=rules, group_by=group_by)
    if method == "clk":
        return LinkOptions(method="clk", group_by=group_by)
    if method == "probabilistic":
        # keyed fields agree or not: compared exactly, and each one also blocks candidates
        fields = tuple(
            ProbField(c, "text", "exact", True) for c in _list(_text(form, "fields", 1000))
        )
        return LinkOptions(method="probabilistic", fields=fields, group_by=group_by)
    return LinkOptions(group_by=group_by)


def export_draft(form: Mapping[str, Any]) -> ExportDraft:
    """The export form as the zone's draft."""
    return ExportDraft(
        sql=_text(form, "sql", SQL),
        group_by=_list(_text(form, "group_by", 500)),
        value=_text(form, "value", 100) or None,
        title=_text(form, "title", 300) or None,
    )
