"""The de-identification wizard (비식별 조치 마법사) for a personal dataset, and the assessment
report pages it shows.

The page itself only carries the dataset's name, the session's CSRF token and the registry of
privacy criteria (models, parameters, defaults, labels): detection, apply and release run in the
browser against the privacy API (`/api/v1/datasets/{name}/privacy/...`) with the session cookie,
so the same access rules hold. The report fragment of a check is rendered here from the job's
stored result (the browser names the job, never sends a report) with the one report template
(`datanuri.privacy.report_html`) that the CLI and API use too.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from datanuri import errors
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import registry_json
from datanuri.privacy.report import linkable_pseudonyms
from datanuri.privacy.report_html import render_report_fragment, report_css
from datanuri.web import ui_text
from datanuri.web.deps import RowId
from datanuri.web.pages import language
from datanuri.web.routes_console import login_redirect, web_user
from datanuri.web.routes_ui import UIRoute, ui_page

router = APIRouter(include_in_schema=False, route_class=UIRoute)


# Words of wizard.js: key -> (Korean, English).
TEXT: dict[str, tuple[str, str]] = {
    "cat_direct": ("직접 식별자", "direct identifier"),
    "cat_quasi": ("준식별자", "quasi-identifier"),
    "cat_sensitive": ("민감속성", "sensitive"),
    "cat_other": ("기타", "other"),
    "m_delete": ("삭제", "delete"),
    "m_mask": ("마스킹", "mask"),
    "m_pseudonymize": ("가명처리 (키)", "pseudonymise (key)"),
    "m_mask_identifiers": ("문장 속 식별자 마스킹", "mask identifiers in text"),
    "h_keep_or_hide": ("그대로 또는 감춤 (*)", "kept or hidden (*)"),
    "h_age": ("나이 (5·10·20세 구간 → *)", "age (5, 10, 20-year bands → *)"),
    "h_date": ("날짜 (일 → 월 → 분기 → 연 → *)", "date (day → month → quarter → year → *)"),
    "h_postcode": ("우편번호 (5 → 3 → 2자리 → *)", "postcode (5 → 3 → 2 digits → *)"),
    "h_korean_regions": (
        "행정구역 (읍면동 → 시군구 → 시도 → *)",
        "Korean regions (읍면동 → 시군구 → 시도 → *)",
    ),
    "h_intervals": ("숫자 구간 (너비)", "numeric intervals (widths)"),
    "h_prefix": ("앞자리 유지 (자릿수)", "keep a prefix (lengths)"),
    "keep_rrn": ("남길 부분", "keep"),
    "keep_birth_date_and_sex": ("생년월일과 성별 자리", "birth date and sex digit"),
    "keep_birth_date": ("생년월일", "birth date"),
    "keep_none": ("모두 가림", "nothing"),
    "keep_start": ("앞 글자 수", "keep first"),
    "keep_end": ("뒤 글자 수", "keep last"),
    "key_name": ("키 이름", "key name"),
    "pseudonym_length": ("가명 길이", "pseudonym length"),
    "leaf": ("가장 자세한 단계", "finest level"),
    "widths": ("구간 너비 (쉼표로)", "widths (comma separated)"),
    "lengths": ("남길 자릿수 (쉼표로, 마지막 0)", "lengths kept (comma separated, last 0)"),
    "sensitive_note": (
        "민감속성: 그대로 공개되며 l-다양성·t-근접성으로 보호합니다.",
        "Sensitive: released as is, protected by l-diversity or t-closeness.",
    ),
    "other_note": (
        "그대로 공개합니다. 개인을 가리킬 수 없는 이유를 적으세요 (보고서에 남습니다).",
        "Released as it is. Say why it cannot identify anyone (the reason goes into the report).",
    ),
    "reason": ("그대로 공개하는 이유", "why it may be released as it is"),
    "sensitive_reason": (
        "민감속성으로 고르지 않으면 그대로 공개하는 이유",
        "if not chosen as the sensitive attribute: why it may be released as it is",
    ),
    "acknowledge": (
        "거의 고유하거나 다른 열의 복사본이어도 공개하는 이유 (선택)",
        "why to release it even if near-unique or a copy of another column (optional)",
    ),
    "need_reason": (
        "그대로 공개하는 열마다 이유를 적으세요: ",
        "Give a reason for each column released as it is: ",
    ),
    "role": ("역할", "role"),
    "measure": ("조치", "measure"),
    "hierarchy": ("일반화 계층", "hierarchy"),
    "none": ("없음", "none"),
    "scanning": ("열을 분석하는 중…", "Analysing the columns…"),
    "scan_failed": ("탐지에 실패했습니다", "Detection failed"),
    "checking": ("정책을 적용하고 평가하는 중…", "Applying and assessing the policy…"),
    "releasing": ("공개하는 중…", "Releasing…"),
    "passed": ("통과: 이 정책으로 공개할 수 있습니다.", "Passed: this policy may be released."),
    "failed": (
        "통과하지 못했습니다. 아무것도 공개되지 않았습니다.",
        "Did not pass. Nothing was released.",
    ),
    "no_solution": (
        "가장 넓게 일반화해도 조건을 만족하지 못합니다.",
        "Even the most general generalisation does not satisfy the model.",
    ),
    "most_general": (
        "가장 넓은 일반화에서도 {n}건을 삭제해야 하지만 한도는 {limit}건입니다.",
        "The most general generalisation still suppresses {n} records; the limit is {limit}.",
    ),
    "suggest": ("바꿀 점", "What to change"),
    "suggest_model": (
        "k·l·t 조건을 낮추거나, 삭제 한도를 높이거나, 준식별자를 더 넓은 계층으로 바꾸거나 줄이세요.",
        "Lower k, l or t, allow more suppression, or choose coarser hierarchies or fewer quasi-identifiers.",
    ),
    "suggest_fix_input": (
        "위 오류를 고친 뒤 다시 점검하세요.",
        "Fix the error above and check again.",
    ),
    "no_preview": ("미리보기가 없습니다.", "No preview."),
    "preview_rows": (
        "비식별 처리된 표의 처음 {n}행 (전체 {total}행)",
        "First {n} rows of the de-identified table ({total} rows)",
    ),
    "changed": (
        "점검 뒤 설정이 바뀌었습니다. 다시 점검해야 공개할 수 있습니다.",
        "The settings changed after the check. Check again before releasing.",
    ),
    "need_check": (
        "정책이 통과해야 공개할 수 있습니다.",
        "The policy must pass before it can be released.",
    ),
    "ready": (
        "통과한 정책으로 공개할 수 있습니다.",
        "Ready to release with the policy that passed.",
    ),
    "released": ("공개했습니다.", "Released."),
    "open_dataset": ("공개된 데이터셋 보기", "Open the released dataset"),
    "open_record": ("공개 기록과 평가 보고서", "Release record and report"),
    "release_failed": ("공개하지 못했습니다", "The release failed"),
    "report_failed": ("보고서를 그리지 못했습니다", "The report could not be drawn"),
    "copy": ("내려받기", "Download"),
    "need_qi": ("준식별자를 하나 이상 고르세요.", "Choose at least one quasi-identifier."),
    "need_sensitive": (
        "이 모델은 민감속성이 필요합니다.",
        "This model needs a sensitive attribute.",
    ),
    "version": ("버전", "version"),
}


def _text(lang: str) -> dict[str, str]:
    """Words the script shows, in the page language."""
    return {k: (ko if lang == "ko" else en) for k, (ko, en) in TEXT.items()}


@router.get("/console/datasets/{name}/deidentify", response_class=HTMLResponse)
def wizard(request: Request, name: str) -> Response:
    """The wizard page: detection, policy, check (report and preview) and release."""
    who = web_user(request)
    if who is None:
        return login_redirect(request)
    me, csrf, user = who.me, who.csrf, who.user
    platform = request.app.state.platform
    ds = platform.catalog.get_dataset(name, principal=me)  # 404 for what the caller may not see
    platform.privacy.check_editor(name, principal=me)  # 403 unless an editor of the holder
    org = platform.catalog.get_organization(ds.organization)
    lang = language(request)
    if ds.access_level != "personal":
        return ui_page(request, "wizard/not_personal.html", user=user, ds=ds, org=org)
    latest = ds.latest_version
    registry = registry_json()
    target = f"{name}-deidentified"
    defaults = platform.privacy.release_defaults(name, target, principal=me)
    config = {
        "dataset": name,
        "organization": ds.organization,
        "csrf": csrf,
        "lang": lang,
        "version": latest,
        "target": target,
        "title": defaults.title,
        "text": _text(lang),
        "criteria": registry,  # the models and their parameters, from the engine's registry
    }
    return ui_page(
        request,
        "wizard/wizard.html",
        user=user,
        ds=ds,
        org=org,
        latest=latest,
        config=Markup(
            json.dumps(config, ensure_ascii=False)
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        ),
        criteria=registry["criteria"],
        fields=_criterion_fields(registry),
        options=registry["options"],  # algorithm and risk ceiling (policy entries beside the model)
        report_css=report_css(),
        src=defaults,  # the release dataset's metadata, prefilled from the source
        themes=list(ui_text.THEMES),
        licenses=list(ui_text.LICENSES),
    )


def _criterion_fields(registry: dict[str, Any]) -> list[dict[str, Any]]:
    """One form field per parameter name (k first), with the models that use it."""
    fields: dict[str, dict[str, Any]] = {"k": {**registry["always"], "models": []}}
    for crit in registry["criteria"]:
        for param in crit["params"]:
            fields.setdefault(param["name"], {**param, "models": []})["models"].append(crit["name"])
    return list(fields.values())


@router.get("/console/datasets/{name}/deidentify/jobs/{job_id}/report", response_class=HTMLResponse)
def job_report_fragment(request: Request, name: str, job_id: str) -> Response:
    """The assessment report of a finished check as an HTML fragment, read from the job's stored
    result (never from the browser): only the dataset's editors (the job's restricted part)."""
    who = web_user(request)
    if who is None:
        raise errors.NotAuthenticated("Log in to see assessment reports.")
    me = who.me
    platform = request.app.state.platform
    platform.privacy.check_editor(name, principal=me)
    job = platform.job_views.get_job(job_id, principal=me)
    result = job.result or {}
    source = result.get("dataset") or (result.get("release") or {}).get("source_dataset")
    if (
        job.kind != "privacy.apply"
        or source != name
        or job.status != "succeeded"
        or not isinstance(result.get("report"), dict)
    ):
        raise errors.NotFound(M.MSG_NO_JOB_REPORT.format(job=job_id, dataset=name))
    html = render_report_fragment(result, lang=language(request), prefix="wiz")
    return HTMLResponse(str(html))


@router.get("/console/privacy/releases/{release_id}", response_class=HTMLResponse)
def release_page(request: Request, release_id: RowId) -> Response:
    """A release record with its assessment report (the holder's editors)."""
    who = web_user(request)
    if who is None:
        return login_redirect(request)
    info = request.app.state.platform.privacy.get_release(release_id, principal=who.me)
    rec = info.to_dict()
    return ui_page(
        request,
        "wizard/release.html",
        user=who.user,
        rec=rec,
        report_css=report_css(),
        policy_json=json.dumps(rec["policy"], ensure_ascii=False, indent=2),
        report=render_report_fragment(rec, lang=language(request), prefix="rel"),
        linkable=[m.column for m in linkable_pseudonyms(info.report)],
    )
