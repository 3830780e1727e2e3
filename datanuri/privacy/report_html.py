"""The adequacy assessment report (적정성 평가 보고서) as HTML, in Korean or English.

One template (`templates/report/_body.html`) serves the wizard (as a fragment), the CLI
(`datanuri privacy apply --html FILE`) and the API (`.../report.html`): a standalone document with
inline CSS and SVG, no external resources. The sections follow the guideline's stages: 사전 검토
→ 비식별 조치 → 적정성 평가 → 사후 관리, after a verdict that says what failed and by how much.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from datanuri.privacy.report import (
    AssessmentReport,
    DPReport,
    Report,
    linkable_pseudonyms,
    load_report,
)
from datanuri.privacy.report_charts import charts

TEMPLATES = Path(__file__).parent / "templates"
_env: Environment | None = None

MODEL_NAMES = {
    "k-anonymity": ("k-익명성", "k-anonymity"),
    "distinct-l-diversity": ("l-다양성 (distinct)", "distinct l-diversity"),
    "entropy-l-diversity": ("l-다양성 (엔트로피)", "entropy l-diversity"),
    "recursive-cl-diversity": ("재귀적 (c,l)-다양성", "recursive (c,l)-diversity"),
    "t-closeness": ("t-근접성", "t-closeness"),
    "differential-privacy": ("차분 프라이버시", "differential privacy"),
}
MEASURE_NAMES = {
    "delete": ("삭제", "deleted"),
    "mask": ("마스킹", "masked"),
    "pseudonymize": ("가명처리 (HMAC-SHA-256)", "pseudonymised (HMAC-SHA-256)"),
    "mask_identifiers": ("문장 속 식별자 마스킹", "identifiers in text masked"),
    "noise": ("잡음 추가", "noise added"),
    "top_bottom": ("상·하단 코딩", "top/bottom coding"),
    "microaggregate": ("미시 집계", "microaggregation"),
    "dp_count": ("잡음 더한 건수", "noisy count"),
    "dp_sum": ("잡음 더한 합계", "noisy sum"),
    "dp_mean": ("잡음 더한 평균", "noisy mean"),
    "dp_histogram": ("잡음 더한 히스토그램", "noisy histogram"),
}
DP_MEASURES = {
    "count": ("건수", "count"),
    "sum": ("합계", "sum"),
    "mean": ("평균", "mean"),
    "histogram": ("히스토그램", "histogram"),
}
LOSS_NAMES = {
    "precision": ("일반화 강도 (precision)", "generalisation intensity (precision)"),
    "intensity": ("일반화 강도", "generalisation intensity"),
    "ncp": ("NCP", "NCP"),
    "discernibility": ("식별력 (discernibility)", "discernibility"),
    "entropy": ("비균일 엔트로피", "non-uniform entropy"),
}


def _environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(("html", "css")),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _env


def _pick(table: Mapping[str, tuple[str, str]], key: Any, lang: str) -> str:
    pair = table.get(str(key))
    if pair is None:
        return str(key)
    return pair[0] if lang == "ko" else pair[1]


def fmt_num(x: Any, digits: int = 3) -> str:
    """A number for people: thousands separators, at most `digits` decimals, '–' for none."""
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        if not math.isfinite(x):
            return "–"
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        return f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return str(x)


def fmt_pct(x: Any, digits: int = 1) -> str:
    if x is None or not isinstance(x, (int, float)) or not math.isfinite(x):
        return "–"
    return (
        f"{x * 100:.{digits}f}%".replace(f".{'0' * digits}%", "%") if digits else f"{x * 100:.0f}%"
    )


def unwrap(obj: Report | Mapping[str, Any]) -> tuple[Report, dict[str, Any]]:
    """(typed report, context) from a report (typed or its JSON), an apply summary, a job result
    or a release record."""
    if isinstance(obj, (AssessmentReport, DPReport)):
        return obj, {}
    if (
        isinstance(obj.get("report"), (Mapping, AssessmentReport, DPReport))
        and "records" not in obj
    ):
        ctx = {k: v for k, v in obj.items() if k != "report"}
        if isinstance(ctx.get("release"), Mapping):  # a job result of a release
            ctx = {**ctx, **ctx["release"]}
        return load_report(obj["report"]), ctx
    return load_report(obj), {}


_PARAM_NAMES = {
    "k": ("k (최소 동질집합 크기)", "k (smallest class)"),
    "l": ("l (다양성)", "l (diversity)"),
    "c": ("c (최빈 값 비율)", "c (ratio of the most frequent value)"),
    "t": ("t (분포 거리)", "t (distance of distributions)"),
    "epsilon": ("ε (쓴 프라이버시 예산)", "ε (privacy budget spent)"),
}


def _measured_rows(report: Report, lang: str) -> list[dict[str, Any]]:
    if isinstance(report, DPReport):
        return [
            {
                "key": "epsilon",
                "name": _pick(_PARAM_NAMES, "epsilon", lang),
                "measured": report.epsilon_spent,
                "required": report.epsilon,
                "ok": report.budget_passed,
                "rule": "≤",
            }
        ]
    measured = report.privacy.measured.to_json() if report.records.released else {}
    rows = []
    for key in ("k", "l", "c", "t"):
        want = report.privacy.required.get(key)
        if want is None:
            continue
        got = measured.get(key)
        ok = None
        if isinstance(got, (int, float)) and isinstance(want, (int, float)):
            ok = (
                got >= want
                if key in ("k", "l")
                else (got < want if key == "c" else got <= want + 1e-12)
            )
        rows.append(
            {
                "key": key,
                "name": _pick(_PARAM_NAMES, key, lang),
                "measured": got,
                "required": want,
                "ok": ok,
                "rule": "≥" if key in ("k", "l") else ("<" if key == "c" else "≤"),
            }
        )
    return rows


def explain(report: Report, lang: str = "ko") -> list[dict[str, str]]:
    """The failures in plain words, each with how much it missed by and what to change."""

    def t(ko: str, en: str) -> str:
        return ko if lang == "ko" else en

    out: list[dict[str, str]] = []
    if isinstance(report, AssessmentReport):
        rec, priv = report.records, report.privacy
        model = _pick(MODEL_NAMES, priv.model, lang)
        if rec.original and rec.released == 0:
            out.append(
                {
                    "what": t(
                        f"모든 레코드({fmt_num(rec.original)}개)가 삭제되어 공개할 데이터가 "
                        "없습니다.",
                        f"All {fmt_num(rec.original)} records were suppressed: nothing would be "
                        "released.",
                    ),
                    "fix": t(
                        "모델의 조건(k, l, t)을 낮추거나, 민감속성 값이 더 다양한 데이터를 쓰세요.",
                        "Lower the model's parameters (k, l, t), or use data with more varied "
                        "sensitive values.",
                    ),
                }
            )
        elif not priv.passed:
            rows = [r for r in _measured_rows(report, lang) if r["ok"] is False]
            gap = ", ".join(
                f"{r['key']} = {fmt_num(r['measured'])} ({t('요구', 'required')} {r['rule']} "
                f"{fmt_num(r['required'])})"
                for r in rows
            )
            out.append(
                {
                    "what": t(
                        f"동질집합 {fmt_num(priv.failing_classes)}개(레코드 "
                        f"{fmt_num(priv.failing_records)}개)가 {model} 조건을 만족하지 못합니다"
                        + (f": {gap}." if gap else "."),
                        f"{fmt_num(priv.failing_classes)} equivalence classes "
                        f"({fmt_num(priv.failing_records)} records) do not satisfy {model}"
                        + (f": {gap}." if gap else "."),
                    ),
                    "fix": t(
                        "준식별자를 더 넓게 일반화하거나(계층 변경), 삭제 한도를 높이거나, 모델 조건을 "
                        "낮추세요.",
                        "Generalise the quasi-identifiers further (another hierarchy), allow more "
                        "suppression, or lower the model's parameters.",
                    ),
                }
            )
        if rec.suppressed > rec.suppression_limit and rec.released:
            over = rec.suppressed - rec.suppression_limit
            out.append(
                {
                    "what": t(
                        f"레코드 {fmt_num(rec.suppressed)}개가 삭제되어 한도 "
                        f"{fmt_num(rec.suppression_limit)}개를 {fmt_num(over)}개 넘었습니다.",
                        f"{fmt_num(rec.suppressed)} records were suppressed, {fmt_num(over)} over "
                        f"the limit of {fmt_num(rec.suppression_limit)}.",
                    ),
                    "fix": t(
                        "삭제 한도를 높이거나 준식별자를 더 넓게 일반화하세요.",
                        "Raise the suppression limit or generalise the quasi-identifiers further.",
                    ),
                }
            )
        for f in report.untreated_direct_identifiers:
            col = f.column
            out.append(
                {
                    "what": t(
                        f"열 '{col}'은(는) 직접 식별자({f.kind}, 신뢰도 {fmt_num(f.confidence, 2)})로 보이지만 조치 "
                        "없이 공개됩니다.",
                        f"Column '{col}' looks like a direct identifier ({f.kind}, confidence "
                        f"{fmt_num(f.confidence, 2)}) but would be released untreated.",
                    ),
                    "fix": t(
                        f"'{col}'을(를) 직접 식별자로 두고 삭제·마스킹·가명처리하세요.",
                        f"Make '{col}' a direct identifier and delete, mask or pseudonymise it.",
                    ),
                }
            )
        gate = report.gate
        for u in gate.unchanged if gate else ():
            out.append(
                {
                    "what": t(
                        f"열 '{u.column}'의 조치({u.measure})가 값 {fmt_num(u.values)}개 중 "
                        f"{fmt_num(u.unchanged)}개를 바꾸지 않았습니다.",
                        f"The measure {u.measure!r} on '{u.column}' left {fmt_num(u.unchanged)} "
                        f"of {fmt_num(u.values)} values unchanged.",
                    ),
                    "fix": t(
                        "삭제, 가명처리, 또는 글자를 감추는 마스킹을 쓰세요.",
                        "Use delete, pseudonymize, or a mask that hides characters.",
                    ),
                }
            )
        for n in gate.near_unique if gate else ():
            if n.acknowledged is None and f"'{n.column}' is near-unique" in " ".join(
                report.failures
            ):
                out.append(
                    {
                        "what": t(
                            f"열 '{n.column}'은(는) 레코드의 {fmt_pct(n.unique_share)}가 그 값만으로 "
                            "유일합니다.",
                            f"Column '{n.column}' alone is unique for {fmt_pct(n.unique_share)} "
                            "of the records.",
                        ),
                        "fix": t(
                            "준식별자로 일반화하거나 삭제하세요. 꼭 공개해야 하면 acknowledge에 "
                            "사유를 적으세요.",
                            "Generalise it as a quasi-identifier or delete it; if it must be "
                            "released, give the reason under acknowledge.",
                        ),
                    }
                )
        for d in gate.duplicates if gate else ():
            if d.acknowledged is None:
                out.append(
                    {
                        "what": t(
                            f"열 '{d.column}'은(는) '{d.of}'의 "
                            f"{'복사본' if d.exact else '일대일 재부호화'}입니다.",
                            f"Column '{d.column}' is "
                            f"{'a copy' if d.exact else 'a 1:1 relabelling'} of '{d.of}'.",
                        ),
                        "fix": t(
                            f"삭제하거나 '{d.of}'와 같이 조치하세요.",
                            f"Delete it or treat it as '{d.of}' is treated.",
                        ),
                    }
                )
    if not out and not report.passed:
        for msg in report.failures:
            out.append({"what": str(msg), "fix": ""})
    return out


def policy_notes(report: Report, lang: str = "ko") -> list[str]:
    """What the release was held to beside the model's parameters, in plain words: the
    reference of t, the risk ceiling, the algorithm, δ-presence and the instance's limits."""

    def t(ko: str, en: str) -> str:
        return ko if lang == "ko" else en

    if not isinstance(report, AssessmentReport):
        return []
    pol, out = report.policy, []
    if pol.t_closeness_reference == "input":
        out.append(
            t(
                "t는 삭제 전 원본 전체의 민감값 분포와 비교한 거리입니다 (ARX와 같은 정의, 탐색과 "
                "평가가 같은 값을 씁니다).",
                "t is measured against the sensitive distribution of the whole input before "
                "suppression (ARX's definition; the search and this assessment use the same).",
            )
        )
    if pol.risk_threshold is not None:
        highest = report.risk.prosecutor.highest if report.risk else None
        out.append(
            t(
                f"재식별 위험 상한 {fmt_num(pol.risk_threshold)} (검사자 모델, 레코드별 최댓값): "
                f"측정 {fmt_num(highest)}",
                f"Re-identification risk ceiling {fmt_num(pol.risk_threshold)} (prosecutor "
                f"model, highest record risk): measured {fmt_num(highest)}",
            )
        )
    if pol.algorithm == "mondrian":
        out.append(
            t(
                "몬드리안 지역 재코딩: 레코드 묶음마다 따로 범위를 정했습니다.",
                "Mondrian local recoding: each group of records has its own ranges.",
            )
        )
    if pol.delta_presence is not None:
        d = report.delta_presence
        got = f"[{fmt_num(d.low)}, {fmt_num(d.high)}]" if d else "–"
        want = f"[{fmt_num(pol.delta_presence[0])}, {fmt_num(pol.delta_presence[1])}]"
        out.append(
            t(f"δ-존재성 요구 {want}, 측정 {got}", f"δ-presence required {want}, measured {got}")
        )
    if report.limits is not None:
        out.append(
            t(
                f"플랫폼 한도(관리자 설정): k ≥ {report.limits.min_k}",
                f"Instance limits (set by administrators): k ≥ {report.limits.min_k}",
            )
        )
    return out


def report_context(
    obj: Report | Mapping[str, Any],
    *,
    lang: str = "ko",
    report_hash: str | None = None,
    prefix: str = "rep",
) -> dict[str, Any]:
    """Everything `report/_body.html` shows, from any shape `unwrap` accepts."""
    report, ctx = unwrap(obj)
    qis, measures = [], []
    dp = report if isinstance(report, DPReport) else None
    if isinstance(report, AssessmentReport):
        per_col = report.utility.per_column
        for col, height in report.policy.quasi_identifiers.items():
            loss = per_col.get(col)
            qis.append(
                {
                    "column": col,
                    "level": report.levels.get(col),
                    "top": height - 1 if height else (loss.top_level if loss else None),
                    "level_name": loss.level_name if loss else None,
                    "distinct_before": loss.distinct_before if loss else None,
                    "distinct_after": loss.distinct_after if loss else None,
                }
            )
        for m in report.measures:
            measures.append(
                {
                    "column": m.column,
                    "measure": _pick(MEASURE_NAMES, m.measure, lang),
                    "options": ", ".join(f"{k}={v}" for k, v in m.options.items()),
                }
            )
        model, loss_metric = report.policy.model, report.policy.loss_metric
        params = {k: v for k, v in report.policy.parameters.items() if v is not None}
    else:
        for dm in report.measures:
            measures.append(
                {
                    "column": dm.column,
                    "measure": _pick(MEASURE_NAMES, f"dp_{dm.measure}", lang),
                    "options": f"epsilon={dm.epsilon}, mechanism={dm.mechanism}",
                }
            )
        model, loss_metric = report.model, None
        params = {"epsilon": report.epsilon, "contributions": report.privacy_unit.contributions}
    return {
        "dp": dp,
        "budget": dp.budget.to_json() if dp is not None and dp.budget is not None else None,
        "linkable": [m.column for m in linkable_pseudonyms(report)],
        "dp_measures": [
            {**m.to_json(), "name": _pick(DP_MEASURES, m.measure, lang)}
            for m in (dp.measures if dp else ())
        ],
        "lang": lang,
        "report": report,
        "ctx": ctx,
        "prefix": prefix,
        "passed": report.passed,
        "report_hash": report_hash or ctx.get("report_sha256") or ctx.get("report_hash"),
        "model_name": _pick(MODEL_NAMES, model, lang),
        "loss_name": _pick(LOSS_NAMES, loss_metric, lang),
        "params": params,
        "qis": qis,
        "measures": measures,
        "measured_rows": _measured_rows(report, lang),
        "problems": explain(report, lang),
        "policy_notes": policy_notes(report, lang),
        "records": report.records
        if isinstance(report, AssessmentReport)
        else {
            "original": report.records_original,
            "released": report.records_released,
        },
        "classes": report.equivalence_classes if isinstance(report, AssessmentReport) else {},
        "utility": report.utility if isinstance(report, AssessmentReport) else {},
        "search": report.search if isinstance(report, AssessmentReport) else {},
        "charts": charts(report, lang=lang, prefix=prefix),
        "fmt_num": fmt_num,
        "fmt_pct": fmt_pct,
        "t": (lambda ko, en: ko if lang == "ko" else en),
    }


def render_report_fragment(
    obj: Report | Mapping[str, Any],
    *,
    lang: str = "ko",
    report_hash: str | None = None,
    prefix: str = "rep",
    heading_level: int = 2,
) -> Markup:
    """The report as an HTML fragment (a `<section class="dn-report">`), for embedding in a page."""
    ctx = report_context(obj, lang=lang, report_hash=report_hash, prefix=prefix)
    ctx["hl"] = heading_level
    ctx["svg"] = {k: Markup(v["svg"]) for k, v in ctx["charts"].items()}
    return Markup(_environment().get_template("report/_body.html").render(**ctx))


def report_css() -> Markup:
    """The report's stylesheet (inlined by the standalone document and the wizard page)."""
    return Markup((TEMPLATES / "report" / "report.css").read_text(encoding="utf-8"))


def render_report_html(
    report: Report | Mapping[str, Any],
    *,
    lang: str = "ko",
    report_hash: str | None = None,
    title: str | None = None,
) -> str:
    """A standalone HTML document of the report: inline CSS and SVG, no external resources.

    `report` is a typed report (or its JSON), or a dict holding one under "report" (an apply
    summary, a job result, a release record), whose hash and release details are shown."""
    if lang not in ("ko", "en"):
        lang = "ko"
    body = render_report_fragment(report, lang=lang, report_hash=report_hash, heading_level=1)
    heading = title or (
        "비식별 조치 적정성 평가 보고서"
        if lang == "ko"
        else "De-identification adequacy assessment report"
    )
    return (
        _environment()
        .get_template("report/standalone.html")
        .render(lang=lang, title=heading, body=body, css=report_css())
    )
