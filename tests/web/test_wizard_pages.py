"""The de-identification wizard's pages over HTTP: who may open it, the non-personal message,
the report fragment and release page, and the standalone report document."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.privacy.criteria import REGISTRY, registry_json
from datanuri.privacy.report import load_report
from datanuri.privacy.report_html import render_report_html
from tests.privacy.test_service import HOSPITAL, ORG, POLICY, load_hospital

PW = "correct horse battery staple"
WIZARD = f"/console/datasets/{HOSPITAL}/deidentify"
OPEN = "nuri-hospital-statistics"


@pytest.fixture
def site(platform, api, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    platform.catalog.create_dataset(
        OPEN, organization=ORG, title="병원 통계", access_level="open", principal=SYSTEM
    )
    for email, role in (("editor@example.org", "editor"), ("member@example.org", "member")):
        platform.accounts.create_user(email, display_name=role, password=PW, principal=SYSTEM)
        platform.accounts.add_member(ORG, email, role=role, principal=SYSTEM)
    platform.accounts.create_user(
        "outsider@example.org", display_name="outsider", password=PW, principal=SYSTEM
    )
    return api


def login(api, email: str) -> str:
    r = api.post("/api/v1/auth/login", json={"email": email, "password": PW})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def test_anonymous_is_sent_to_log_in_and_back(site):
    r = site.get(WIZARD + "?lang=en", follow_redirects=False)
    assert r.status_code == 303
    loc = r.headers["location"]
    assert loc.startswith("/login?") and "lang=en" in loc
    assert unquote(re.search(r"next=([^&]+)", loc).group(1)) == WIZARD


@pytest.mark.parametrize("email", ["member@example.org", "outsider@example.org"])
def test_non_editors_get_the_friendly_403_page(site, email):
    login(site, email)
    r = site.get(WIZARD + "?lang=ko")
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert 'class="error-page"' in r.text and "wz-config" not in r.text


def test_editor_gets_the_wizard_with_its_config(site):
    csrf = login(site, "editor@example.org")
    r = site.get(WIZARD + "?lang=en")
    assert r.status_code == 200
    assert 'id="wz-columns"' in r.text and 'id="wz-release" disabled' in r.text
    config = re.search(
        r'<script type="application/json" id="wz-config">(.*?)</script>', r.text, re.S
    ).group(1)
    import json

    cfg = json.loads(config)
    assert (
        cfg["dataset"] == HOSPITAL
        and cfg["csrf"] == csrf
        and cfg["target"] == f"{HOSPITAL}-deidentified"
    )
    assert cfg["organization"] == ORG and cfg["text"]["cat_direct"] == "direct identifier"
    # the models come from the engine's registry, not from the script
    assert cfg["criteria"] == registry_json()
    options = re.findall(r'<option value="([a-z-]+)">', r.text.split('id="wz-model"')[1])
    assert options[: len(REGISTRY)] == list(REGISTRY)
    for name in ("k", "l", "c", "t", "distance"):
        assert f'id="wz-{name}"' in r.text


def test_non_personal_dataset_gets_a_clear_message(site):
    login(site, "editor@example.org")
    r = site.get(f"/console/datasets/{OPEN}/deidentify?lang=en")
    assert r.status_code == 200
    assert 'id="wz-not-personal"' in r.text and "is for personal datasets only" in r.text
    assert "wz-config" not in r.text


def test_missing_dataset_is_404(site):
    login(site, "editor@example.org")
    assert site.get("/console/datasets/no-such-data/deidentify").status_code == 404


def _apply(site, csrf, policy):
    r = site.post(
        f"/api/v1/datasets/{HOSPITAL}/privacy/apply?wait=true",
        json={"policy": policy},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _fragment(site, job_id, lang="ko"):
    return site.get(f"{WIZARD}/jobs/{job_id}/report?lang={lang}")


def test_report_fragment_of_a_passing_and_a_failing_policy(site):
    csrf = login(site, "editor@example.org")
    res = _apply(site, csrf, POLICY)
    r = _fragment(site, res["job"]["id"])
    assert r.status_code == 200, r.text
    html = r.text
    assert html.lstrip().startswith('<section class="dn-report"') and 'data-passed="true"' in html
    assert html.count("<svg") == 3 and res["report_sha256"] in html
    assert res["report_sha256"] == load_report(res["report"]).digest()
    for word in (
        "사전 검토",
        "비식별 조치",
        "적정성 평가",
        "사후 관리",
        "동질집합 크기 분포",
        "재식별 위험 분포",
        "열별 정보 손실",
    ):
        assert word in html
    k = res["report"]["privacy"]["measured"]["k"]
    assert f"k = {k}" in html
    # release the phone number as it is: the report says which column and what to do
    failing = {
        **POLICY,
        "direct_identifiers": {
            c: m for c, m in POLICY["direct_identifiers"].items() if c != "전화번호"
        },
        "insensitive": {**POLICY["insensitive"], "전화번호": "only office numbers"},
    }
    bad = _apply(site, csrf, failing)
    assert not bad["passed"]
    r = _fragment(site, bad["job"]["id"], lang="en")
    assert 'data-passed="false"' in r.text and "Not adequate" in r.text
    assert (
        "Column &#39;전화번호&#39; looks like a direct identifier" in r.text
        and "What to change" in r.text
    )


def test_a_report_posted_by_the_browser_is_never_rendered(site):
    csrf = login(site, "editor@example.org")
    res = _apply(site, csrf, POLICY)
    forged = {**res["report"], "failures": ["FORGED-BY-CLIENT"], "passed": True}
    forged["records"] = {**forged["records"], "original": 999_999_999}
    for path in (f"{WIZARD}/report", f"{WIZARD}/jobs/{res['job']['id']}/report"):
        r = site.post(path, json={"report": forged}, headers={"x-csrf-token": csrf})
        assert r.status_code in (404, 405) and "FORGED" not in r.text
        assert "dn-report" not in r.text
    # the job's page shows what the server stored, whatever the browser sent before
    page = _fragment(site, res["job"]["id"], lang="en").text
    assert "FORGED" not in page and "999,999,999" not in page
    assert res["report_sha256"] in page


def test_report_fragment_needs_the_editor_who_ran_the_job(site):
    csrf = login(site, "editor@example.org")
    job = _apply(site, csrf, POLICY)["job"]["id"]
    assert _fragment(site, "no-such-job").status_code == 404
    site.cookies.clear()
    assert _fragment(site, job).status_code == 401
    login(site, "member@example.org")
    assert _fragment(site, job).status_code == 403
    site.cookies.clear()
    login(site, "outsider@example.org")
    assert _fragment(site, job).status_code in (403, 404)


def test_release_page_shows_the_record_and_report(site, platform):
    csrf = login(site, "editor@example.org")
    r = site.post(
        f"/api/v1/datasets/{HOSPITAL}/privacy/apply?wait=true",
        headers={"x-csrf-token": csrf},
        json={"policy": POLICY, "release": {"target": "visits-open", "access_level": "open"}},
    )
    assert r.status_code == 201, r.text
    rel = r.json()["release"]
    page = site.get(f"/console/privacy/releases/{rel['id']}?lang=en")
    assert page.status_code == 200
    rec = platform.privacy.get_release(rel["id"], principal=SYSTEM)
    assert rec.report_hash == rec.report.digest() and rec.report_hash in page.text
    assert (
        "visits-open" in page.text
        and 'data-passed="true"' in page.text
        and page.text.count("<svg") == 3
    )
    site.cookies.clear()
    login(site, "member@example.org")
    assert site.get(f"/console/privacy/releases/{rel['id']}").status_code == 403


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("#"):
                self.external.append(f"{tag} {k}={v}")
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)


def test_standalone_report_has_no_external_resources(site):
    csrf = login(site, "editor@example.org")
    res = _apply(site, csrf, POLICY)
    for lang in ("ko", "en"):
        doc = render_report_html(res, lang=lang)
        assert doc.startswith("<!doctype html>") and f'<html lang="{lang}">' in doc
        p = _Resources()
        p.feed(doc)
        assert p.external == [] and p.tags.count("svg") == 3 and "style" in p.tags
        assert res["report_sha256"] in doc
    # the bare report renders too (as the CLI passes it), with a hash given separately
    doc = render_report_html(res["report"], lang="en", report_hash="f" * 64)
    assert "f" * 64 in doc and "Adequate" in doc
