"""Audit results as a JSON document (what is stored, served and printed) and as an HTML report
with inline SVG charts, in Korean or English (headings and hints through the ko.po catalogue).

The HTML is rendered from the JSON document, so a stored audit renders the same later."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from datanuri.audit import messages as M
from datanuri.audit.dataset_audit import DatasetAudit
from datanuri.audit.hints import SMALL_GROUP
from datanuri.audit.metrics import ModelMetrics
from datanuri.audit.thresholds import Verdict
from datanuri.i18n import translate

BOOTSTRAP_METHOD = (
    "percentile intervals; rows resampled with replacement, drawn as multinomial cell counts"
)


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _ci(ci: Any) -> list[float | None] | None:
    return None if ci is None else [_num(ci.low), _num(ci.high)]


def _group(columns: Sequence[str], label: Sequence[str]) -> dict[str, str]:
    return dict(zip(columns, label, strict=True))


def model_json(
    m: ModelMetrics, verdicts: Sequence[Verdict], hints: Sequence[str]
) -> dict[str, Any]:
    """The model audit as JSON: per group `count`, the rates (and `auc`), and the differences
    and ratios with their intervals, the verdicts and the hints."""
    return {
        "kind": "model",
        "columns": list(m.columns),
        "rows": m.rows,
        "pos_label": m.pos_label,
        "groups": [
            {
                "group": _group(m.columns, f.label),
                "label": " × ".join(f.label),
                "count": f.count,
                "positives": f.positives,
                "predicted_positives": f.predicted_positives,
                **{k: _num(v) for k, v in f.values.items()},
                "small": f.count < SMALL_GROUP,
            }
            for f in m.groups
        ],
        "overall": {k: _num(v) for k, v in m.overall.items()},
        "disparities": {
            d.metric: {
                "difference": _num(d.difference),
                "difference_ci": _ci(d.difference_ci),
                "ratio": _num(d.ratio),
                "ratio_ci": _ci(d.ratio_ci),
            }
            for d in m.disparities
        },
        "bootstrap": {
            "resamples": m.bootstrap,
            "quantiles": list(m.quantiles),
            "seed": m.seed,
            "method": BOOTSTRAP_METHOD,
            "auc_score_bins": m.auc_bins,
        },
        "calibration": (
            None
            if m.calibration is None
            else {" × ".join(f.label): c for f, c in zip(m.groups, m.calibration, strict=True)}
        ),
        "thresholds": [v.to_dict() for v in verdicts],
        "passed": all(v.passed for v in verdicts),
        "hints": list(hints),
    }


def dataset_json(a: DatasetAudit) -> dict[str, Any]:
    labels = {" × ".join(b.label): b for b in a.labels or ()}
    return {
        "kind": "dataset",
        "columns": list(a.columns),
        "rows": a.rows,
        "groups": [
            {
                "group": _group(a.columns, r.label),
                "label": " × ".join(r.label),
                "count": r.count,
                "share": r.share,
                "reference_share": r.reference,
                "small": r.count < SMALL_GROUP,
                **(
                    {
                        "positives": labels[" × ".join(r.label)].positives,
                        "positive_rate": labels[" × ".join(r.label)].positive_rate,
                    }
                    if labels
                    else {}
                ),
            }
            for r in a.groups
        ],
        "representation_test": (
            None
            if a.fit is None
            else {
                "test": "G (log-likelihood ratio)",
                "statistic": a.fit.statistic,
                "dof": a.fit.dof,
                "p_value": a.fit.p_value,
            }
        ),
        "label": a.label_column,
        "pos_label": a.pos_label,
        "missing": [
            {
                "column": x.column,
                "overall": x.overall,
                "by_group": {
                    " × ".join(r.label): v for r, v in zip(a.groups, x.by_group, strict=True)
                },
            }
            for x in a.missing
        ],
        "proxies": [
            {
                "column": p.column,
                "normalized_mutual_information": p.mutual_information,
                "balanced_accuracy": _num(p.balanced_accuracy),
                "chance": p.chance,
                "flagged": p.flagged,
            }
            for p in a.proxies
        ],
    }


# ----- HTML -----------------------------------------------------------------------------------
def _t(text: str, lang: str) -> str:
    return html.escape(translate(text, lang))


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return html.escape(str(x))


def bar_chart(
    values: Mapping[str, float | None], *, width: int = 520, ci: Mapping[str, Any] | None = None
) -> str:
    """A horizontal bar chart (values in 0..1) as inline SVG, one bar per label."""
    row, left = 22, 180
    h = row * len(values) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img">']
    span = width - left - 50
    for i, (label, v) in enumerate(values.items()):
        y = 5 + i * row
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{html.escape(label[:28])}</text>"
        )
        if v is None:
            continue
        w = max(0.0, min(1.0, v)) * span
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="14" fill="#3b6ea5"/>')
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="11">{v:.3f}</text>')
        if ci and ci.get(label):
            lo, hi = ci[label]
            if lo is not None and hi is not None:
                x1, x2 = left + max(0, min(1, lo)) * span, left + max(0, min(1, hi)) * span
                parts.append(
                    f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y + 10}" y2="{y + 10}" '
                    'stroke="#c0392b" stroke-width="2"/>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _small_notes(doc: Mapping[str, Any], lang: str) -> str:
    notes = [
        f"<li>{html.escape(g['label'])}: {_t(M.T_SMALL_GROUP.format(count=g['count']), lang)}</li>"
        for g in doc.get("groups", [])
        if g.get("small")
    ]
    return f"<ul class='small'>{''.join(notes)}</ul>" if notes else ""


def _model_body(doc: Mapping[str, Any], lang: str) -> str:
    metrics = [k for k in ("selection_rate", "tpr", "fpr", "ppv", "auc") if k in doc["overall"]]
    out = [f"<h2>{_t(M.H_GROUPS, lang)}</h2>", _small_notes(doc, lang)]
    out.append(
        _table(
            ["group", "count", *metrics],
            [[g["label"], g["count"], *[g.get(k) for k in metrics]] for g in doc["groups"]],
        )
    )
    for k in metrics:
        out.append(f"<h3>{html.escape(k)}</h3>")
        out.append(bar_chart({g["label"]: g.get(k) for g in doc["groups"]}))
    out.append(f"<h2>{_t(M.H_DISPARITIES, lang)}</h2>")
    d = doc["disparities"]
    out.append(
        _table(
            ["metric", "difference", "CI", "ratio", "CI"],
            [
                [
                    k,
                    v["difference"],
                    "–"
                    if not v["difference_ci"]
                    else " – ".join(_fmt(x) for x in v["difference_ci"]),
                    v["ratio"],
                    "–" if not v["ratio_ci"] else " – ".join(_fmt(x) for x in v["ratio_ci"]),
                ]
                for k, v in d.items()
            ],
        )
    )
    out.append(
        bar_chart(
            {f"{k} ratio": v["ratio"] for k, v in d.items()},
            ci={f"{k} ratio": v["ratio_ci"] for k, v in d.items()},
        )
    )
    if doc.get("thresholds"):
        out.append(f"<h2>{_t(M.H_THRESHOLDS, lang)}</h2>")
        rows = []
        for v in doc["thresholds"]:
            verdict = _t(M.T_PASS if v["passed"] else M.T_FAIL, lang)
            if not v["conclusive"]:
                verdict += f" ({_t(M.T_UNCERTAIN, lang)})"
            rows.append([v["metric"], v["kind"], v["threshold"], v["observed"], verdict])
        out.append(_table(["metric", "kind", "threshold", "observed", ""], rows))
    if doc.get("calibration"):
        out.append(f"<h2>{_t(M.H_CALIBRATION, lang)}</h2>")
        for label, bins in doc["calibration"].items():
            out.append(f"<h3>{html.escape(label)}</h3>")
            out.append(
                _table(
                    ["bin", "rows", "mean score", "observed rate"],
                    [[b["bin"], b["rows"], b["mean_score"], b["observed_rate"]] for b in bins],
                )
            )
    return "".join(out)


def _dataset_body(doc: Mapping[str, Any], lang: str) -> str:
    out = [f"<h2>{_t(M.H_REPRESENTATION, lang)}</h2>", _small_notes(doc, lang)]
    out.append(
        _table(
            ["group", "count", "share", "reference"],
            [[g["label"], g["count"], g["share"], g["reference_share"]] for g in doc["groups"]],
        )
    )
    out.append(bar_chart({g["label"]: g["share"] for g in doc["groups"]}))
    if doc.get("representation_test"):
        r = doc["representation_test"]
        out.append(f"<p>G = {r['statistic']:.2f}, dof = {r['dof']}, p = {r['p_value']:.3g}</p>")
    if doc.get("label"):
        out.append(f"<h2>{_t(M.H_LABELS, lang)}</h2>")
        out.append(bar_chart({g["label"]: g.get("positive_rate") for g in doc["groups"]}))
    out.append(f"<h2>{_t(M.H_MISSING, lang)}</h2>")
    labels = [g["label"] for g in doc["groups"]]
    out.append(
        _table(
            ["column", "overall", *labels],
            [
                [x["column"], x["overall"], *[x["by_group"][lab] for lab in labels]]
                for x in doc["missing"]
            ],
        )
    )
    if doc.get("proxies"):
        out.append(f"<h2>{_t(M.H_PROXIES, lang)}</h2>")
        out.append(
            _table(
                ["column", "NMI", "balanced accuracy", "chance", "flagged"],
                [
                    [
                        p["column"],
                        p["normalized_mutual_information"],
                        p["balanced_accuracy"],
                        p["chance"],
                        "⚠" if p["flagged"] else "",
                    ]
                    for p in doc["proxies"]
                ],
            )
        )
    return "".join(out)


def _release_body(doc: Mapping[str, Any], lang: str) -> str:
    out = [f"<h2>{_t(M.H_SUPPRESSION, lang)}</h2>", _small_notes(doc, lang)]
    qis = doc.get("quasi_identifiers", [])
    out.append(
        _table(
            ["group", "count", "suppressed", "suppression rate", *qis],
            [
                [
                    g["label"],
                    g["count"],
                    g["suppressed"],
                    g["suppression_rate"],
                    *[g["loss"].get(q) for q in qis],
                ]
                for g in doc["groups"]
            ],
        )
    )
    out.append(bar_chart({g["label"]: g["suppression_rate"] for g in doc["groups"]}))
    return "".join(out)


STYLE = (
    "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;"
    "font-size:.85rem}ul.small{color:#8a4b00}"
)


def render_html(
    doc: Mapping[str, Any], lang: str = "en", *, hashes: Mapping[str, str] | None = None
) -> str:
    """The HTML report of an audit's JSON document, in `lang` ("ko" or "en")."""
    kind = doc.get("kind")
    title = {"model": M.H_MODEL, "dataset": M.H_DATASET, "release": M.H_RELEASE}[str(kind)]
    body = {"model": _model_body, "dataset": _dataset_body, "release": _release_body}[str(kind)](
        doc, lang
    )
    hints = "".join(f"<li>{_t(h, lang)}</li>" for h in doc.get("hints", []))
    hint_html = f"<h2>{_t(M.H_HINTS, lang)}</h2><ul>{hints}</ul>" if hints else ""
    data = ""
    if hashes:
        items = "".join(
            f"<li>{html.escape(k)}: <code>{html.escape(v)}</code></li>" for k, v in hashes.items()
        )
        data = f"<h2>{_t(M.T_DATA_HASHES, lang)}</h2><ul>{items}</ul>"
    cols = html.escape(" × ".join(doc.get("columns", [])))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_t(title, lang)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_t(title, lang)}: {cols}</h1><p>{doc.get('rows', 0)} rows</p>"
        f"{body}{hint_html}{data}</body></html>"
    )
