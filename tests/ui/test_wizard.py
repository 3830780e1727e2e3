"""The de-identification wizard in a real browser: the demo publisher detects, sets a policy,
fails a too-strict one, passes a sound one, and releases it; the release is public, the personal
dataset still shows no rows."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.ui.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

PERSONAL = "nuri-hospital-outpatient-visits"
WIZARD = f"/console/datasets/{PERSONAL}/deidentify"
TARGET = "wizard-test-outpatient-release"


def _login(page: Any, base: str, next_path: str) -> None:
    from datanuri.demo.load import DEMO_PASSWORD

    page.goto(f"{base}{next_path}")  # anonymous: sent to the login page, and back after it
    page.wait_for_url(re.compile(r"/login\?"))
    page.locator("#email").fill("publisher@datanuri.local")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_path.split("?")[0])))


def _part(page: Any, selector: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _row(page: Any, column: str) -> Any:
    return page.locator(f'#wz-columns tbody tr[data-column="{column}"]')


def _check(page: Any) -> str:
    """Press Check and wait for its outcome; returns "passed" or "failed"."""
    page.evaluate("document.body.removeAttribute('data-checked')")
    page.locator("#wz-check").click()
    page.wait_for_selector("body[data-checked]", timeout=60_000)
    return page.locator("body").get_attribute("data-checked")


def test_wizard_from_detection_to_release(
    page: Any, ui_server: str, shot: Any, chromium: Any
) -> None:
    _login(page, ui_server, WIZARD)
    page.wait_for_selector('#wz-columns[data-ready="true"]')

    # 1. detection pre-fills the form
    rrn = _row(page, "주민등록번호")
    assert rrn.get_attribute("data-category") == "direct"
    assert rrn.locator("select[name=role]").input_value() == "direct"
    assert rrn.locator("select[name=measure]").input_value() == "delete"
    assert "주민등록번호입니다" in rrn.inner_text()  # the evidence, in Korean
    assert _row(page, "나이").locator("select[name=hierarchy]").input_value() == "age"
    assert _row(page, "진료일").locator("select[name=hierarchy]").input_value() == "date"
    assert _row(page, "성별").locator("select[name=hierarchy]").input_value() == "keep_or_hide"
    # the patient number is a record key: pseudonymised with the hospital's key from the key store
    patient = _row(page, "환자번호")
    assert patient.locator("select[name=measure]").input_value() == "pseudonymize"
    assert patient.locator("input[name=key]").input_value() == "nuri-hospital-2026"
    assert page.locator("#wz-sensitive").input_value() == "진단명"
    # the department is "other": released as it is, so it needs the publisher's reason
    dept = _row(page, "진료과")
    assert dept.locator("select[name=role]").input_value() == "other"
    dept.locator("input[name=reason]").fill("진료 부서: 개인을 가리키지 않음")
    # masking an RRN offers the keep options; back to delete
    rrn.locator("select[name=measure]").select_option("mask")
    assert rrn.locator("select[name=keep]").input_value() == "birth_date_and_sex"
    rrn.locator("select[name=measure]").select_option("delete")
    assert page.locator("#wz-release").is_disabled()
    _part(page, "#step-detect", "wizard-1-detection")

    # 2. an impossible l: 100 distinct diagnoses per class, where the table has 22 (issue #12:
    # the error says the attribute has too few distinct values)
    page.locator("#wz-model").select_option("distinct-l-diversity")
    assert page.locator("#wz-l").is_visible() and not page.locator("#wz-t").is_visible()
    page.locator("#wz-l").fill("100")
    page.locator("#wz-suppression").fill("0")
    _part(page, "#step-model", "wizard-2-model")
    assert _check(page) == "failed"
    verdict = page.locator("#wz-verdict")
    assert "'진단명' has only 22 distinct value(s)" in verdict.inner_text()
    assert "fewer than l = 100" in verdict.inner_text()
    # a too-strict model: entropy 18 per class, where the whole table's is about 17.4
    page.locator("#wz-model").select_option("entropy-l-diversity")
    page.locator("#wz-l").fill("18")
    assert _check(page) == "failed"
    assert "통과하지 못했습니다" in verdict.inner_text()
    assert "entropy-l-diversity" in verdict.inner_text() and "바꿀 점" in verdict.inner_text()
    assert "가장 넓게 일반화해도 조건을 만족하지 못합니다" in verdict.inner_text()
    assert re.search(
        r"가장 넓은 일반화에서도 \d+건을 삭제해야 하지만 한도는 0건", verdict.inner_text()
    )
    assert page.locator("#wz-check-progress").is_hidden()
    assert page.locator("#wz-release").is_disabled()
    _part(page, "#step-check", "wizard-3-failed")

    # a sound model, but the phone number left as "other": the report fails and names the column
    page.locator("#wz-model").select_option("k-anonymity")
    page.locator("#wz-k").fill("5")
    page.locator("#wz-suppression").fill("5")
    phone = _row(page, "전화번호")
    phone.locator("select[name=role]").select_option("other")
    assert _check(page) == "failed"  # no reason: refused before it reaches the server
    assert "전화번호" in page.locator("#wz-verdict").inner_text()
    # with a reason: a phone number is no false detection, the release gate refuses it
    phone.locator("input[name=reason]").fill("병원 대표번호")
    assert _check(page) == "failed"
    report = page.locator("#wz-report .dn-report")
    assert report.get_attribute("data-passed") == "false"
    assert (
        "'전화번호'" in report.locator(".dn-problems").inner_text()
        and "바꿀 점" in report.locator(".dn-problems").inner_text()
    )
    assert "전화번호" in page.locator("#wz-verdict").inner_text()
    assert (
        page.locator("#wz-no-preview").is_visible()
        and page.locator("#wz-preview-table").count() == 0
    )
    assert page.locator("#wz-release").is_disabled()
    _part(page, "#wz-report .dn-verdict", "wizard-3-failed-report")
    phone.locator("select[name=role]").select_option("direct")

    # below the instance's k floor: refused, saying the floor and who sets it (issue #12)
    page.locator("#wz-k").fill("1")
    assert _check(page) == "failed"
    assert "below this instance's floor of k = 2" in page.locator("#wz-verdict").inner_text()
    page.locator("#wz-k").fill("5")
    # the risk ceiling and the algorithm are policy entries the form sets
    assert page.locator("#wz-algorithm").input_value() == "optimal"
    page.locator("#wz-risk_threshold").fill("0.1")
    page.locator("#wz-algorithm").select_option("mondrian")
    assert _check(page) == "passed"
    policy_json = page.locator("#wz-policy-json").text_content()
    assert '"risk_threshold": 0.1' in policy_json and '"algorithm": "mondrian"' in policy_json
    page.locator("#wz-risk_threshold").fill("")
    page.locator("#wz-algorithm").select_option("optimal")

    # 3. the sound policy passes; preview and report appear
    assert '"k": 5' in page.locator("#wz-policy-json").text_content()
    assert "risk_threshold" not in page.locator("#wz-policy-json").text_content()
    assert _check(page) == "passed"
    assert page.locator("#wz-release").is_enabled()
    preview = page.locator("#wz-preview-table")
    assert preview.locator("tbody tr").count() == 20
    headers = preview.locator("thead th").all_inner_texts()
    assert not {"이름", "주민등록번호", "전화번호", "주소"} & set(headers) and "나이" in headers
    pseudonyms = preview.locator(
        f"tbody tr td:nth-child({headers.index('환자번호') + 1})"
    ).all_inner_texts()
    assert len(set(pseudonyms)) > 1 and all(re.fullmatch(r"[0-9a-f]{8,}", p) for p in pseudonyms)
    report = page.locator("#wz-report .dn-report")
    assert report.get_attribute("data-passed") == "true"
    assert report.locator("svg[role=img]").count() == 3
    assert report.locator("#wiz-risk-t").text_content().startswith("재식별 위험 분포")
    policy_json = page.locator("#wz-policy-json").text_content()
    assert (
        '"주민등록번호": "delete"' in policy_json and '"key": "nuri-hospital-2026"' in policy_json
    )
    shot(page, "wizard-4-passed")
    _part(page, "#wz-report", "wizard-report")

    # changing the form after a passing check disables the release until the next check
    page.locator("#wz-k").fill("6")
    assert page.locator("#wz-release").is_disabled()
    assert "다시 점검" in page.locator("#wz-release-why").inner_text()
    page.locator("#wz-k").fill("5")
    assert _check(page) == "passed"
    assert page.locator("#wz-release").is_enabled()

    # 4. release: the new dataset's metadata is the source's, shown and editable
    assert page.locator("#wz-target").input_value() == f"{PERSONAL}-deidentified"
    assert page.locator("#wz-title").input_value() == "외래 진료 기록 (가상 환자) (비식별 처리본)"
    assert page.locator("#wz-license").input_value() == "proprietary"
    assert page.locator("#wz-theme").input_value() == "보건"
    assert "가명처리" in page.locator("#wz-keywords").input_value()
    assert page.locator("#wz-spatial").input_value() == "서울특별시"
    assert page.locator("#wz-temporal-start").input_value() == "2024-01-02"
    page.locator("#wz-license").select_option("KOGL-1")  # an open release, an open licence
    page.locator("#wz-keywords").fill("진료, 비식별")
    assert page.locator("#wz-release").is_enabled()  # metadata is no part of the checked policy
    page.locator("#wz-target").fill(TARGET)
    page.locator("#wz-access").select_option("open")
    page.locator("#wz-release").click()
    page.wait_for_selector("#wz-released", timeout=60_000)
    assert "공개했습니다" in page.locator("#wz-release-status").inner_text()
    _part(page, "#step-release", "wizard-5-released")
    record_href = page.locator("#wz-released-record").get_attribute("href")
    page.goto(ui_server + record_href)
    assert page.locator(".dn-report").get_attribute("data-passed") == "true"
    assert TARGET in page.locator("main").inner_text()
    shot(page, "wizard-release-record")

    # the release is public: an anonymous visitor sees its rows
    anon = chromium.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    try:
        visitor = anon.new_page()
        visitor.goto(f"{ui_server}/datasets/{TARGET}")
        assert visitor.locator("table.preview tbody tr").count() == 20
        cols = visitor.locator("table.preview thead th").all_inner_texts()
        assert "주민등록번호" not in cols and "이름" not in cols and "환자번호" in cols
        # it keeps the source's metadata as edited, and links back to its source and report
        meta = visitor.locator("dl.meta").first.inner_text()
        assert "KOGL-1" in meta and "서울특별시" in meta and "2024-01-02" in meta
        assert visitor.locator("h1").inner_text() == "외래 진료 기록 (가상 환자) (비식별 처리본)"
        assert "k-익명성" in visitor.locator("#release-origin").inner_text()
        assert (
            visitor.locator("#release-source")
            .get_attribute("href")
            .startswith(f"/datasets/{PERSONAL}")
        )
        report_href = visitor.locator("#release-report").get_attribute("href")
        shot(visitor, "release-links-target")
        # the public reads the adequacy report of this open release
        visitor.goto(ui_server + report_href)
        assert "비식별 조치 적정성 평가 보고서" in visitor.locator("h1").first.inner_text()
        # and the source's page lists the release
        visitor.goto(f"{ui_server}/datasets/{PERSONAL}")
        link = visitor.locator(f'#releases a[href^="/datasets/{TARGET}"]')
        assert link.inner_text() == "외래 진료 기록 (가상 환자) (비식별 처리본)"
        assert "k=5" in visitor.locator("#releases").inner_text()
        shot(visitor, "release-links-source")
        # and the personal dataset still shows no rows, even to its editor
        page.goto(f"{ui_server}/datasets/{PERSONAL}")
        assert page.locator("#no-preview").is_visible()
        assert page.locator("table.preview").count() == 0
    finally:
        anon.close()


def test_wizard_in_english_for_a_non_personal_dataset(page: Any, ui_server: str, shot: Any) -> None:
    _login(page, ui_server, "/console/datasets/air-quality-seoul-daily/deidentify?lang=en")
    assert "is for personal datasets only" in page.locator("#wz-not-personal").inner_text()
    # the wizard itself in English, on a phone-sized screen
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(f"{ui_server}{WIZARD}?lang=en")
    page.wait_for_selector('#wz-columns[data-ready="true"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert _row(page, "이름").locator(".wz-cat").inner_text() == "direct identifier"
    assert "The policy must pass" in page.locator("#wz-release-why").inner_text()
    _row(page, "진료과").locator("input[name=reason]").fill("a clinic department, no person's")
    page.locator("#wz-check").click()
    page.wait_for_selector("body[data-checked]", timeout=60_000)
    assert "Passed" in page.locator("#wz-verdict").inner_text()
    assert (
        "Figure 2. Re-identification risk distribution" in page.locator("#wz-report").inner_text()
    )
    shot(page, "wizard-en-phone")
