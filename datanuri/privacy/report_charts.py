"""Chart data and inline SVG for the adequacy assessment report (적정성 평가 보고서).

Pure functions over the typed assessment report (:class:`datanuri.privacy.report.AssessmentReport`;
a differential-privacy report has no classes, so its charts are empty): the three
charts of the guideline's assessment stage — equivalence-class sizes, re-identification risk,
information loss per column — as plain rows (for data tables) and as self-contained SVG strings
(no CSS or scripts needed, with ``<title>``, ``aria-label``, axis titles). Every report renders,
failing ones and ones that release no rows included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Literal
from xml.sax.saxutils import escape

from datanuri.privacy.report import AssessmentReport, Report

Lang = str  # "ko" or "en"

BAR = "#2f6db5"
BAR_SOFT = "#8fb3e0"
BAD = "#b3261e"
BAD_SOFT = "#eba39d"
INK = "#1a1a1a"
MUTED = "#4a4f57"
GRID = "#d4d8de"
FONT = (
    "system-ui,-apple-system,'Segoe UI','Apple SD Gothic Neo','Malgun Gothic',"
    "'Noto Sans KR','Noto Sans CJK KR',sans-serif"
)

_TEXT: dict[str, tuple[str, str]] = {
    "size_title": ("동질집합 크기 분포", "Equivalence class size distribution"),
    "size_x": ("동질집합 크기(레코드 수)", "Class size (records per class)"),
    "records": ("레코드 수", "Records"),
    "classes": ("동질집합 수", "Classes"),
    "classes_short": ("집합 수", "Classes"),
    "below_k": ("k 미만 구간", "bands below k"),
    "risk_title": (
        "재식별 위험 분포 (검사자 공격 모델)",
        "Re-identification risk distribution (prosecutor model)",
    ),
    "risk_x": ("레코드별 재식별 위험 (1 / 동질집합 크기)", "Record risk (1 / class size)"),
    "threshold": ("임계값", "threshold"),
    "above": ("임계값 초과", "above threshold"),
    "loss_title": ("열별 정보 손실", "Information loss per column"),
    "loss_x": (
        "정보 손실 (0 = 원본 그대로, 1 = 모두 감춤)",
        "Information loss (0 = as is, 1 = fully hidden)",
    ),
    "intensity": ("일반화 강도", "Generalisation intensity"),
    "ncp": ("NCP", "NCP"),
    "none": ("공개되는 레코드가 없습니다", "No records are released"),
    "no_qi": ("준식별자가 없습니다", "No quasi-identifiers"),
}


def text(key: str, lang: Lang) -> str:
    ko, en = _TEXT[key]
    return ko if lang == "ko" else en


# ----- chart data ----------------------------------------------------------------------------
def _size_bounds(label: str) -> tuple[int, int | None]:
    """``"3-4"`` -> (3, 4); ``"100+"`` -> (100, None); ``"1"`` -> (1, 1)."""
    if label.endswith("+"):
        return int(label[:-1]), None
    lo, _, hi = label.partition("-")
    return int(lo), int(hi or lo)


def required_k(report: Report) -> int | None:
    """The k the policy asked for (every generalisation criterion includes k)."""
    return report.required_k if isinstance(report, AssessmentReport) else None


def size_bands(report: Report) -> list[dict[str, Any]]:
    """Classes and records per class-size band; ``below_k`` marks bands smaller than k."""
    if not isinstance(report, AssessmentReport):
        return []
    k = required_k(report)
    out = []
    for label, v in report.equivalence_classes.histogram.items():
        lo, hi = _size_bounds(label)
        out.append(
            {
                "band": label,
                "low": lo,
                "high": hi,
                "classes": v.classes,
                "records": v.records,
                "below_k": k is not None and hi is not None and hi < k,
            }
        )
    return out


_RISK_LABEL = re.compile(r"^\(\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]+)\s*\]$")


def _pct(x: float) -> str:
    v = x * 100
    return f"{v:.0f}%" if abs(v - round(v)) < 1e-9 or v >= 10 else f"{v:.1f}%".replace(".0%", "%")


def risk_bands(
    report: Report, *, model: Literal["prosecutor", "journalist"] = "prosecutor"
) -> list[dict[str, Any]]:
    """Records per risk band of one attacker model; ``above`` marks bands over the threshold."""
    if not isinstance(report, AssessmentReport) or report.risk is None:
        return []
    risk = report.risk.prosecutor if model == "prosecutor" else report.risk.journalist
    if risk is None:
        return []
    threshold = risk.threshold
    out = []
    for label, count in risk.histogram.items():
        m = _RISK_LABEL.match(label)
        lo, hi = (float(m.group(1)), float(m.group(2))) if m else (math.nan, math.nan)
        short = (f"≤{_pct(hi)}" if lo == 0 else f"{_pct(lo)[:-1]}–{_pct(hi)}") if m else label
        out.append(
            {
                "band": label,
                "label": short,
                "low": lo,
                "high": hi,
                "records": int(count),
                "above": m is not None and lo >= float(threshold) - 1e-12,
            }
        )
    return out


def risk_summary(report: Report) -> dict[str, Any] | None:
    """Highest and average risk, share above the threshold, sample uniques (None: nothing released)."""
    if not isinstance(report, AssessmentReport) or report.risk is None:
        return None
    risk = report.risk
    p = risk.prosecutor
    out: dict[str, Any] = {
        "records": risk.records,
        "classes": risk.classes,
        "highest": p.highest,
        "average": p.average,
        "threshold": p.threshold,
        "records_at_risk": p.records_at_risk,
        "sample_uniques": risk.sample_uniques,
        "sample_unique_share": risk.sample_unique_share,
        "marketer": risk.marketer,
        "journalist": None,
    }
    j = risk.journalist
    if j is not None:
        out["journalist"] = {
            "highest": j.highest,
            "average": j.average,
            "records_at_risk": j.records_at_risk,
            "population_uniques": risk.population_uniques,
        }
    return out


def loss_columns(report: Report) -> list[dict[str, Any]]:
    """Per quasi-identifier: level reached, generalisation intensity and NCP (with suppressed
    records counted as fully lost), distinct values before and after."""
    if not isinstance(report, AssessmentReport):
        return []
    return [
        {
            "column": col,
            "level": v.level,
            "top_level": v.top_level,
            "level_name": v.level_name,
            "intensity": v.precision_with_suppression,
            "ncp": v.ncp_with_suppression,
            "distinct_before": v.distinct_before,
            "distinct_after": v.distinct_after,
        }
        for col, v in report.utility.per_column.items()
    ]


# ----- SVG -----------------------------------------------------------------------------------
def _a(v: Any) -> str:
    """An attribute value, escaped for double quotes."""
    return escape(str(v), {'"': "&quot;"})


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _fmt_int(n: int) -> str:
    return f"{n:,}"


def _nice_max(v: float) -> float:
    """A round axis maximum at or above ``v`` (1, 2, 2.5, 5 × 10^n)."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp  # pragma: no cover


def _width_units(s: str) -> float:
    """Rough rendered width of ``s`` in units of 11px-font narrow characters (Hangul counts ~1.8)."""
    return sum(1.8 if ord(ch) >= 0x2E80 else 1.0 for ch in s)


def _shorten(s: str, units: float) -> str:
    used = 0.0
    for i, ch in enumerate(s):
        used += 1.8 if ord(ch) >= 0x2E80 else 1.0
        if used > units:
            return s[: max(i - 1, 1)] + "…"
    return s


def _svg_open(width: int, height: int, title: str, desc: str, ident: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{_a(ident)}" viewBox="0 '
        f'0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{_a(ident)}-t '
        f'{_a(ident)}-d" '
        f'aria-label="{_a(title)}" font-family="{_a(FONT)}" font-size="11">',
        f'<title id="{_a(ident)}-t">{escape(title)}</title>',
        f'<desc id="{_a(ident)}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _empty(width: int, height: int, title: str, message: str, ident: str) -> str:
    parts = _svg_open(width, height, title, message, ident)
    parts.append(
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}" '
        f'font-size="13">{escape(message)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _vbar_panel(
    parts: list[str],
    *,
    x0: float,
    y0: float,
    w: float,
    h: float,
    values: Sequence[int],
    colors: Sequence[str],
    ylabel: str,
    tips: Sequence[str],
) -> None:
    """Vertical bars in the box (x0, y0, w, h) with a y axis of round ticks and a label."""
    top = _nice_max(max(values) if values else 0)
    for i in range(5):
        v = top * i / 4
        y = y0 + h - h * i / 4
        parts.append(
            f'<line x1="{_num(x0)}" y1="{_num(y)}" x2="{_num(x0 + w)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        label = _fmt_int(int(v)) if float(v).is_integer() else _num(v)
        parts.append(
            f'<text x="{_num(x0 - 5)}" y="{_num(y + 4)}" text-anchor="end" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
    n = max(len(values), 1)
    slot = w / n
    for i, v in enumerate(values):
        bh = h * v / top if top else 0
        bx = x0 + i * slot + slot * 0.15
        parts.append(
            f'<rect x="{_num(bx)}" y="{_num(y0 + h - bh)}" width="{_num(slot * 0.7)}" '
            f'height="{_num(bh)}" fill="{colors[i]}">'
            f"<title>{escape(tips[i])}</title></rect>"
        )
        if v:
            parts.append(
                f'<text x="{_num(bx + slot * 0.35)}" y="{_num(y0 + h - bh - 3)}" '
                f'text-anchor="middle" fill="{INK}" font-size="10">{_fmt_int(v)}</text>'
            )
    parts.append(
        f'<line x1="{_num(x0)}" y1="{_num(y0 + h)}" x2="{_num(x0 + w)}" y2="{_num(y0 + h)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    cy = y0 + h / 2
    parts.append(
        f'<text x="12" y="{_num(cy)}" text-anchor="middle" fill="{INK}" transform="rotate(-90 12 '
        f'{_num(cy)})">{escape(ylabel)}</text>'
    )


def svg_class_sizes(report: Report, *, lang: Lang = "ko", ident: str = "chart-sizes") -> str:
    """Records (upper panel) and classes (lower panel) per class-size band; bands below k in red."""
    bands = size_bands(report)
    title = text("size_title", lang)
    W, H = 600, 300
    if not bands or not any(b["records"] for b in bands):
        return _empty(W, 160, title, text("none", lang), ident)
    k = required_k(report)
    desc = "; ".join(
        (
            f"{b['band']}: {b['classes']}개 집합, {b['records']}개 레코드"
            if lang == "ko"
            else f"{b['band']}: {b['classes']} classes, {b['records']} records"
        )
        for b in bands
    )
    parts = _svg_open(W, H, title + (f" (k = {k})" if k else ""), desc, ident)
    x0, w = 70.0, W - 70.0 - 16
    recs = [b["records"] for b in bands]
    clss = [b["classes"] for b in bands]
    tip_r = [f"{b['band']}: {text('records', lang)} {_fmt_int(b['records'])}" for b in bands]
    tip_c = [f"{b['band']}: {text('classes', lang)} {_fmt_int(b['classes'])}" for b in bands]
    _vbar_panel(
        parts,
        x0=x0,
        y0=22,
        w=w,
        h=120,
        values=recs,
        colors=[BAD if b["below_k"] else BAR for b in bands],
        ylabel=text("records", lang),
        tips=tip_r,
    )
    _vbar_panel(
        parts,
        x0=x0,
        y0=172,
        w=w,
        h=72,
        values=clss,
        colors=[BAD_SOFT if b["below_k"] else BAR_SOFT for b in bands],
        ylabel=text("classes_short", lang),
        tips=tip_c,
    )
    slot = w / len(bands)
    for i, b in enumerate(bands):
        parts.append(
            f'<text x="{_num(x0 + (i + 0.5) * slot)}" y="260" text-anchor="middle" '
            f'fill="{INK}">{escape(b["band"])}</text>'
        )
    parts.append(
        f'<text x="{_num(x0 + w / 2)}" y="280" text-anchor="middle" '
        f'fill="{INK}">{escape(text("size_x", lang))}</text>'
    )
    if k and any(b["below_k"] and b["records"] for b in bands):
        parts.append(
            f'<rect x="{_num(x0)}" y="288" width="10" height="8" fill="{BAD}"/>'
            f'<text x="{_num(x0 + 14)}" y="296" fill="{INK}" '
            f'font-size="10">{escape(text("below_k", lang))} (k = {k})</text>'
        )
    parts.append(
        f'<text x="{_num(x0)}" y="12" fill="{MUTED}" font-size="10">{escape(title)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def svg_risk(report: Report, *, lang: Lang = "ko", ident: str = "chart-risk") -> str:
    """Records per prosecutor-risk band, bands above the threshold in red, the threshold marked."""
    bands = risk_bands(report)
    title = text("risk_title", lang)
    W, H = 600, 250
    if not bands or not any(b["records"] for b in bands):
        return _empty(W, 160, title, text("none", lang), ident)
    summary = risk_summary(report) or {}
    thr = summary.get("threshold")
    desc = "; ".join(f"{b['label']}: {b['records']}" for b in bands)
    parts = _svg_open(
        W,
        H,
        title + (f" — {text('threshold', lang)} {_pct(float(thr))}" if thr is not None else ""),
        desc,
        ident,
    )
    x0, y0, w, h = 70.0, 22.0, W - 70.0 - 16, 160.0
    recs = [b["records"] for b in bands]
    tips = [f"{b['label']}: {text('records', lang)} {_fmt_int(b['records'])}" for b in bands]
    _vbar_panel(
        parts,
        x0=x0,
        y0=y0,
        w=w,
        h=h,
        values=recs,
        colors=[BAD if b["above"] else BAR for b in bands],
        ylabel=text("records", lang),
        tips=tips,
    )
    slot = w / len(bands)
    for i, b in enumerate(bands):
        parts.append(
            f'<text x="{_num(x0 + (i + 0.5) * slot)}" y="{_num(y0 + h + 16)}" text-anchor="middle" '
            f'fill="{INK}" font-size="10">{escape(b["label"])}</text>'
        )
    parts.append(
        f'<text x="{_num(x0 + w / 2)}" y="{_num(y0 + h + 36)}" text-anchor="middle" '
        f'fill="{INK}">{escape(text("risk_x", lang))}</text>'
    )
    if thr is not None:
        # the threshold's position: after the last band whose upper edge is at or below it (interpolated within a band)
        pos = 0.0
        for i, b in enumerate(bands):
            lo, hi = b["low"], b["high"]
            if math.isnan(lo):
                continue
            if hi <= thr + 1e-12:
                pos = i + 1.0
            elif lo < thr < hi:
                pos = i + (thr - lo) / (hi - lo)
        tx = x0 + pos * slot
        parts.append(
            f'<line x1="{_num(tx)}" y1="{_num(y0 - 6)}" x2="{_num(tx)}" y2="{_num(y0 + h)}" '
            f'stroke="{BAD}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
        anchor = "end" if pos > len(bands) * 0.7 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(
            f'<text x="{_num(tx + dx)}" y="{_num(y0 + 4)}" text-anchor="{anchor}" fill="{BAD}" '
            'font-weight="bold">'
            f"{escape(text('threshold', lang))} {_pct(float(thr))}</text>"
        )
        if any(b["above"] and b["records"] for b in bands):
            parts.append(
                f'<rect x="{_num(x0)}" y="{H - 14}" width="10" height="8" fill="{BAD}"/>'
                f'<text x="{_num(x0 + 14)}" y="{H - 6}" fill="{INK}" '
                f'font-size="10">{escape(text("above", lang))}</text>'
            )
    parts.append(
        f'<text x="{_num(x0)}" y="12" fill="{MUTED}" font-size="10">{escape(title)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def svg_loss(report: Report, *, lang: Lang = "ko", ident: str = "chart-loss") -> str:
    """Two horizontal bars per quasi-identifier on a 0–1 scale: generalisation intensity and NCP."""
    cols = loss_columns(report)
    title = text("loss_title", lang)
    W = 600
    if not cols:
        return _empty(W, 120, title, text("no_qi", lang), ident)
    row_h = 34
    label_w = 130.0
    x0, w = label_w + 8, W - label_w - 8 - 56
    y0 = 36.0
    H = int(y0 + row_h * len(cols) + 44)
    desc = "; ".join(
        f"{c['column']}: {text('intensity', lang)} {c['intensity']:.2f}, NCP {c['ncp']:.2f}"
        for c in cols
    )
    parts = _svg_open(W, H, title, desc, ident)
    # legend
    parts.append(
        f'<rect x="{_num(x0)}" y="18" width="10" height="8" fill="{BAR}"/><text '
        f'x="{_num(x0 + 14)}" y="26" fill="{INK}" '
        f'font-size="10">{escape(text("intensity", lang))}</text>'
    )
    lx = x0 + 14 + _width_units(text("intensity", lang)) * 6 + 16
    parts.append(
        f'<rect x="{_num(lx)}" y="18" width="10" height="8" fill="{BAR_SOFT}"/><text '
        f'x="{_num(lx + 14)}" y="26" fill="{INK}" '
        f'font-size="10">{escape(text("ncp", lang))}</text>'
    )
    bottom = y0 + row_h * len(cols)
    for i in range(5):
        gx = x0 + w * i / 4
        parts.append(
            f'<line x1="{_num(gx)}" y1="{_num(y0 - 2)}" x2="{_num(gx)}" y2="{_num(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_num(gx)}" y="{_num(bottom + 14)}" text-anchor="middle" '
            f'fill="{MUTED}">{("0", "0.25", "0.5", "0.75", "1")[i]}</text>'
        )
    for j, c in enumerate(cols):
        ry = y0 + j * row_h
        label = _shorten(str(c["column"]), label_w / 6.2)
        parts.append(
            f'<text x="{_num(label_w)}" y="{_num(ry + row_h / 2 + 4)}" text-anchor="end" '
            f'fill="{INK}"><title>{escape(str(c["column"]))}</title>{escape(label)}</text>'
        )
        for off, key, color in ((4, "intensity", BAR), (17, "ncp", BAR_SOFT)):
            v = max(0.0, min(1.0, c[key]))
            bw = max(w * v, 1.0)
            parts.append(
                f'<rect x="{_num(x0)}" y="{_num(ry + off)}" width="{_num(bw)}" height="11" '
                f'fill="{color}">'
                f"<title>{escape(str(c['column']))} — {escape(text(key, lang))}: "
                f"{v:.3f}</title></rect>"
            )
            parts.append(
                f'<text x="{_num(x0 + bw + 4)}" y="{_num(ry + off + 10)}" fill="{INK}" '
                f'font-size="10">{v:.2f}</text>'
            )
    parts.append(
        f'<line x1="{_num(x0)}" y1="{_num(y0 - 2)}" x2="{_num(x0)}" y2="{_num(bottom)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append(
        f'<text x="{_num(x0 + w / 2)}" y="{_num(bottom + 32)}" text-anchor="middle" '
        f'fill="{INK}">{escape(text("loss_x", lang))}</text>'
    )
    parts.append(
        f'<text x="{_num(x0)}" y="12" fill="{MUTED}" font-size="10">{escape(title)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def charts(report: Report, *, lang: Lang = "ko", prefix: str = "chart") -> dict[str, Any]:
    """Everything a report page needs for its three charts: SVG strings and their table rows."""
    return {
        "sizes": {
            "svg": svg_class_sizes(report, lang=lang, ident=f"{prefix}-sizes"),
            "rows": size_bands(report),
        },
        "risk": {
            "svg": svg_risk(report, lang=lang, ident=f"{prefix}-risk"),
            "rows": risk_bands(report),
            "summary": risk_summary(report),
        },
        "loss": {
            "svg": svg_loss(report, lang=lang, ident=f"{prefix}-loss"),
            "rows": loss_columns(report),
        },
    }
