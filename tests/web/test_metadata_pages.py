"""The richer metadata through the browser forms and the API: the console's metadata form with
coverage pickers, column notes, the feedback inbox, and the public page showing them with the
use counts."""

from __future__ import annotations

from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from tests.helpers import PASSWORD, air_csv, editor_token
from tests.web.test_console_pages import KIM, PARK, csrf_of, login


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> Any:
    cat, acc = platform.catalog, platform.accounts
    acc.create_organization("org-a", title="기관 A", principal=SYSTEM)
    for email, name in ((KIM, "김민지"), (PARK, "박지훈")):
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.add_member("org-a", KIM, role="editor", principal=SYSTEM)
    cat.create_dataset("air", organization="org-a", title="대기질", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    return platform


def meta_form(csrf: str, **over: Any) -> dict[str, Any]:
    base = {
        "csrf_token": csrf,
        "theme": "환경",
        "license": "KOGL-1",
        "keywords": "대기, 미세먼지",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "update_frequency": "daily",
        "provision_type": "file",
        "contact_name": "김민지",
        "contact_email": "kim@example.org",
        "contact_phone": "02-120",
        "citation": "기관 A (2024). 대기질.",
        "doi": "10.1234/air",
        **over,
    }
    return {**base, "regions": ["11:종로구", "26"]}


def test_the_console_saves_the_metadata_and_the_public_page_shows_it(api, world):
    kim, csrf = login(api, KIM)
    r = kim.post("/console/datasets/air/metadata", data=meta_form(csrf), follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    ds = world.catalog.get_dataset("air", principal=SYSTEM)
    assert ds.regions == ("11:종로구", "26") and ds.update_frequency == "daily"
    assert ds.keywords == ("대기", "미세먼지") and ds.doi == "10.1234/air"
    page = kim.get("/console/datasets/air").text
    assert 'value="11:종로구" checked' in page and 'value="26" checked' in page
    public = api.get("/datasets/air").text
    assert "서울특별시 종로구" in public and "부산광역시" in public
    assert "일간" in public and "파일" in public and "https://doi.org/10.1234/air" in public
    assert "daily" not in public  # codes are not shown to people


def test_a_bad_value_keeps_the_form_and_names_the_allowed_values(api, world):
    kim, csrf = login(api, KIM)
    r = kim.post("/console/datasets/air/metadata", data=meta_form(csrf, temporal_end="2023-01-01"))
    assert r.status_code == 422
    assert 'id="meta2-error"' in r.text and "2023-01-01" in r.text
    assert 'value="26" checked' in r.text  # what was ticked stays ticked
    assert world.catalog.get_dataset("air", principal=SYSTEM).theme is None
    r = kim.post("/console/datasets/air/metadata", data=meta_form(csrf, theme="날씨"))
    assert r.status_code == 422 and "재난안전" in r.text


def test_column_notes_from_the_console_show_in_the_schema_table(api, world):
    kim, csrf = login(api, KIM)
    r = kim.post(
        "/console/datasets/air/columns",
        data={
            "csrf_token": csrf,
            "column": "비고",
            "description": "측정 상태",
            "unit": "",
            "codes": "- = 측정 안 함\n보통 = 보통 수준\n\n",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    note = world.catalog.get_dataset("air", principal=SYSTEM).column_notes["비고"]
    assert note["codes"] == [["-", "측정 안 함"], ["보통", "보통 수준"]]
    public = api.get("/datasets/air").text
    assert "측정 상태" in public and "보통 수준" in public and "코드정의서 (2)" in public


def test_feedback_from_a_user_reaches_the_editor_who_answers(api, world):
    anon = api.get("/datasets/air").text
    assert 'id="feedback-login"' in anon and 'id="feedback-form"' not in anon
    park, _ = login(api, PARK)
    page = park.get("/datasets/air").text
    form_csrf = csrf_of(page[page.index('id="feedback-form"') :])
    r = park.post(
        "/datasets/air/feedback",
        data={"csrf_token": form_csrf, "kind": "error", "text": "3행 PM10이 이상합니다."},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "sent=1" in r.headers["location"]
    kim, csrf = login(api, KIM)
    inbox = kim.get("/console/datasets/air").text
    assert "3행 PM10이 이상합니다." in inbox and "박지훈" in inbox and "오류 신고" in inbox
    fid = world.feedback.for_editor(principal=world.accounts.principal_for(KIM))[0].id
    r = kim.post(
        "/console/feedback",
        data={
            "csrf_token": csrf,
            "feedback_id": str(fid),
            "status": "answered",
            "answer": "확인했습니다.",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "확인했습니다." in park.get("/datasets/air").text
    # the sender cannot answer their own report
    park2, park_csrf = login(api, PARK)
    r = park2.post(
        "/console/feedback",
        data={"csrf_token": park_csrf, "feedback_id": str(fid), "status": "closed"},
    )
    assert r.status_code == 404


def test_counts_and_column_notes_over_the_api(api, world):
    token = editor_token(world, "org-a", email="ed@example.org")
    headers = {"Authorization": f"Bearer {token}"}
    api.get("/datasets/air")
    api.get("/datasets/air")  # the same visitor within a minute counts once
    api.get("/api/v1/datasets/air/versions/1/download?format=csv")
    assert api.get("/api/v1/datasets/air/counts").json() == {
        "dataset": "air",
        "views": 1,
        "downloads": 1,
    }
    assert "조회 1회 · 내려받기 1회" in api.get("/datasets/air").text
    r = api.put(
        "/api/v1/datasets/air/column-notes",
        json={"column": "PM10", "unit": "㎍/㎥", "codes": [["-", "결측"]]},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["column_notes"]["PM10"]["unit"] == "㎍/㎥"
    r = api.put(
        "/api/v1/datasets/air/column-notes", json={"column": "없음", "unit": "x"}, headers=headers
    )
    assert r.status_code == 404
    r = api.patch("/api/v1/datasets/air", json={"license": "WTFPL"}, headers=headers)
    assert r.status_code == 422 and "KOGL-1" in r.json()["error"]["message"]


def test_documents_are_attached_in_the_console_and_downloaded_from_the_page(api, world):
    kim, csrf = login(api, KIM)
    pdf = b"%PDF-1.4\n%%EOF\n"
    r = kim.post(
        "/console/datasets/air/documents",
        data={"csrf_token": csrf},
        files={"file": ("코드정의서.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    bad = kim.post(
        "/console/datasets/air/documents",
        data={"csrf_token": csrf},
        files={"file": ("bad.pdf", b"text", "application/pdf")},
    )
    assert bad.status_code == 422 and 'id="doc-error"' in bad.text
    public = api.get("/datasets/air").text
    assert "코드정의서.pdf" in public
    (doc,) = world.attachments.list("air", principal=SYSTEM)
    got = api.get(f"/datasets/air/documents/{doc.id}")
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert "attachment" in got.headers["content-disposition"]
    page = api.get("/dataset/air.jsonld").json()["foaf:page"]
    assert page == [
        {
            "@id": f"http://testserver/datasets/air/documents/{doc.id}",
            "@type": "foaf:Document",
            "dct:title": "코드정의서.pdf",
        }
    ]
    r = kim.post(
        "/console/datasets/air/documents/remove",
        data={"csrf_token": csrf, "document_id": str(doc.id)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and world.attachments.list("air", principal=SYSTEM) == []
    assert api.get(f"/datasets/air/documents/{doc.id}").status_code == 404


def test_cards_show_the_use_counts(api, world):
    b"".join(world.catalog.download("air", format="csv", principal=SYSTEM))
    for path in ("/", "/search"):
        card = api.get(path).text
        assert "조회 0 · 내려받기 1" in card, path
