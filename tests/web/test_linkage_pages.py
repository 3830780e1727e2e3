"""The linkage zone's console pages through the real app, role by role, on both databases: the
project list, a holder page that shows its own uploads and nothing of the other holders, the
key authority's one-time salt, the analyst's SQL box (rows shown, nothing to download) and
export requests with their checks, a reviewer who cannot review their own analysis, closing
with its confirm step and the ledger entry proving the destruction, and the new-project form."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.linkage import (
    AT_RISK_SQL,
    HOLDERS,
    OPERATOR,
    PROJECT,
    holder_table,
    people,
    seed_demo_linkage,
)
from datanuri.linkage import messages as M
from datanuri.linkage.keys import fingerprint
from datanuri.linkage.tokenize import TokenizeOptions, tokenize_table, write_table
from datanuri.linkage.zone import HolderRef, ProjectDraft
from datanuri.web import ui_text
from tests.helpers import PASSWORD
from tests.web.test_console_pages import login

pytestmark = pytest.mark.both_databases  # the listing's own queries (linkage/listing.py)
BASE = f"/console/linkage/{PROJECT}"
ANALYST, REVIEWER = "linkage-analyst@datanuri.local", "linkage-reviewer@datanuri.local"
KEYS, OPERATOR_EMAIL = "linkage-keys@datanuri.local", "linkage-operator@datanuri.local"
POWER, NHIS = "linkage-power@datanuri.local", "linkage-nhis@datanuri.local"
ID_COLUMNS = ("성명:name", "생년월일:date", "휴대폰:phone")


@pytest.fixture
def demo(platform: Any, tmp_path: Path) -> Any:
    """The demo project run once: keyed uploads of three holders, a match, an approved export."""
    assert seed_demo_linkage(platform, tmp_path / "src", password=PASSWORD) == 1
    return platform


def _project(p: Any, name: str, *, reviewers: tuple[str, ...] = (REVIEWER,)) -> None:
    """Another project of the demo's people (nothing issued or uploaded yet)."""
    p.linkage.create_project(
        ProjectDraft(
            name=name,
            purpose="복지 사각지대 발굴 시험",
            legal_basis="개인정보 보호법 제28조의3",
            operator=OPERATOR[0],
            key_authority=KEYS,
            holders=(HolderRef(HOLDERS[0][0], POWER), HolderRef(HOLDERS[1][0], NHIS)),
            analysts=(ANALYST,),
            reviewers=reviewers,
            expires_on=dt.date.today() + dt.timedelta(days=30),
        ),
        principal=p.accounts.principal_for(OPERATOR_EMAIL),
    )


def _keyed(tmp_path: Path, salt: bytes, index: int) -> Path:
    raw = holder_table(people(), index)
    keep = tuple(c for c in raw.column_names if c not in ("성명", "생년월일", "휴대폰"))
    keyed = tokenize_table(raw, salt, TokenizeOptions(id_columns=ID_COLUMNS, keep=keep))
    path = tmp_path / f"keys-{index}.parquet"
    write_table(keyed, path)
    return path


def test_each_role_sees_its_own_part(demo: Any, api: Any) -> None:
    assert api.get("/console/linkage", follow_redirects=False).status_code == 303
    pages = {}
    for email, role in (
        (KEYS, "key authority"),
        (POWER, "holder"),
        (ANALYST, "analyst"),
        (REVIEWER, "reviewer"),
        (OPERATOR_EMAIL, "zone operator"),
    ):
        client, _ = login(api, email)
        listed = client.get("/console/linkage?lang=en")
        assert listed.status_code == 200 and f'data-project="{PROJECT}"' in listed.text
        assert f'<span class="badge">{role}</span>' in listed.text, email
        page = client.get(f"{BASE}?lang=en")
        assert page.status_code == 200 and "개인정보 보호법 제28조의3" in page.text
        pages[email] = page.text
    uploads = {u.organization: u for u in _uploads(demo)}
    power, nhis = uploads["nuri-power"], uploads["nuri-health-insurance"]
    # a holder sees its own upload's hash and columns, nothing of another holder's file
    assert power.digest in pages[POWER] and "arrears_months" in pages[POWER]
    assert nhis.digest not in pages[POWER] and "unpaid_months" not in pages[POWER]
    assert "absent_days" not in pages[POWER]
    assert 'id="pair-counts"' not in pages[POWER] and 'id="exports"' not in pages[POWER]
    # the key authority sees no data at all, and no second salt is offered
    assert 'id="pair-counts"' not in pages[KEYS] and 'id="issue-salt"' not in pages[KEYS]
    assert not any(u.digest in pages[KEYS] for u in uploads.values())
    # the zone side sees the report and the approved export with its published dataset
    for email in (ANALYST, REVIEWER, OPERATOR_EMAIL):
        assert 'id="pair-counts"' in pages[email] and f"{PROJECT}-output-1" in pages[email]
        assert not any(u.digest in pages[email] for u in uploads.values())
    assert 'id="query-form"' in pages[ANALYST] and 'id="query-form"' not in pages[REVIEWER]
    assert 'id="close-link"' in pages[OPERATOR_EMAIL] and 'id="close-link"' not in pages[ANALYST]
    # a holder asked straight for the zone's exports is refused by the listing itself
    from datanuri.linkage import listing

    with pytest.raises(Exception, match="analyst"):
        listing.exports(demo.linkage, PROJECT, demo.accounts.principal_for(POWER))


def _uploads(p: Any) -> list[Any]:
    from datanuri.linkage import listing

    out = []
    for email in (POWER, NHIS, "linkage-school@datanuri.local"):
        out += listing.own_uploads(p.linkage, PROJECT, p.accounts.principal_for(email))
    return out


def test_salt_once_and_keyed_uploads(demo: Any, api: Any, tmp_path: Path) -> None:
    _project(demo, "fresh")
    keys, csrf = login(api, KEYS)
    page = keys.get("/console/linkage/fresh?lang=en").text
    assert 'id="issue-salt"' in page
    assert keys.post("/console/linkage/fresh/salt", data={}).status_code == 403  # no CSRF
    got = keys.post("/console/linkage/fresh/salt", data={"csrf_token": csrf})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    salt = base64.b64decode(got.content.strip())
    info = demo.linkage.get_project("fresh", principal=demo.accounts.principal_for(KEYS))
    assert info.salt_fingerprint == fingerprint(salt)
    again = keys.post("/console/linkage/fresh/salt?lang=en", data={"csrf_token": csrf})
    assert again.status_code == 409 and M.MSG_SALT_ISSUED in html.unescape(again.text)
    assert 'id="issue-salt"' not in keys.get("/console/linkage/fresh").text

    power, csrf = login(api, POWER)
    raw = tmp_path / "raw.csv"
    raw.write_text("성명,생년월일,lk_x\n김민서,1990-01-02,a\n이도하,1985-03-04,b\n", "utf-8")
    form = {"csrf_token": csrf, "organization": "nuri-power"}
    refused = power.post(
        "/console/linkage/fresh/uploads?lang=en",
        data=form,
        files={"file": ("raw.csv", raw.read_bytes(), "text/csv")},
    )
    assert refused.status_code == 422 and "Refused" in refused.text
    good = _keyed(tmp_path, salt, 0)
    done = power.post(
        "/console/linkage/fresh/uploads",
        data=form,
        files={"file": ("keys.parquet", good.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    [mine] = _own(demo, "fresh", POWER)
    assert mine.digest in power.get("/console/linkage/fresh").text
    # the other holder cannot upload for nuri-power, and sees nothing of its file
    nhis, ncsrf = login(api, NHIS)
    wrong = nhis.post(
        "/console/linkage/fresh/uploads",
        data={"csrf_token": ncsrf, "organization": "nuri-power"},
        files={"file": ("keys.parquet", good.read_bytes(), "application/octet-stream")},
    )
    assert wrong.status_code == 403
    assert mine.digest not in nhis.get("/console/linkage/fresh").text
    assert _own(demo, "fresh", NHIS) == []


def _own(p: Any, name: str, email: str) -> list[Any]:
    from datanuri.linkage import listing

    return listing.own_uploads(p.linkage, name, p.accounts.principal_for(email))


def test_query_export_review_and_close(demo: Any, api: Any, tmp_path: Path) -> None:
    analyst, csrf = login(api, ANALYST)
    shown = analyst.post(
        f"{BASE}/query?lang=en",
        data={
            "csrf_token": csrf,
            "sql": "SELECT sigungu, count(*) AS n FROM h_nuri_power GROUP BY 1",
        },
    )
    assert shown.status_code == 200 and 'id="query-result"' in shown.text
    assert "종로구" in shown.text and "content-disposition" not in shown.headers
    assert not re.search(
        r'href="[^"]*(download|format=|\.csv|\.parquet)|<a [^>]*download', shown.text
    )
    refused = analyst.post(
        f"{BASE}/query?lang=en", data={"csrf_token": csrf, "sql": "COPY h_nuri_power TO 'x.csv'"}
    )
    assert refused.status_code == 422 and 'id="query-result"' not in refused.text
    # an export too fine to pass: one cell per person
    small = analyst.post(
        f"{BASE}/exports",
        data={"csrf_token": csrf, "sql": "SELECT person FROM h_nuri_power", "group_by": "person"},
        follow_redirects=False,
    )
    assert small.status_code == 303
    page = analyst.get(f"{BASE}?lang=en").text
    assert 'data-status="refused"' in page and 'data-passed="no"' in page

    # a project where the analyst also reviews: never their own analysis
    _project(demo, "second", reviewers=(ANALYST, REVIEWER))
    zone, who = demo.linkage, demo.accounts.principal_for
    salt = zone.issue_salt("second", principal=who(KEYS))
    for i, (org, email) in enumerate(((HOLDERS[0][0], POWER), (HOLDERS[1][0], NHIS))):
        zone.upload("second", _keyed(tmp_path, salt, i), organization=org, principal=who(email))
    ran = analyst.post(
        "/console/linkage/second/runs",
        data={
            "csrf_token": csrf,
            "method": "probabilistic",
            "fields": "lk_name, lk_date, lk_phone",
            "group_by": "sigungu",
        },
        follow_redirects=False,
    )
    assert ran.status_code == 303
    sql = "SELECT p.sigungu FROM h_nuri_power p JOIN h_nuri_health_insurance USING (person)"
    asked = analyst.post(
        "/console/linkage/second/exports",
        data={"csrf_token": csrf, "sql": sql, "group_by": "sigungu", "title": "시험 반출"},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    page = analyst.get("/console/linkage/second?lang=en").text
    assert 'id="unmatched"' in page  # the report's unmatched rates by 시군구
    assert 'id="histogram"' in page and 'id="weights"' in page  # scores, threshold, m/u
    assert 'value="clk"' not in page  # no upload has a CLK: not offered
    assert 'data-status="pending"' in page and 'class="muted own-analysis"' in page
    assert 'class="stack review-form"' not in page
    ex_id = zone_exports(demo, "second")[0].id
    own = analyst.post(
        f"/console/linkage/second/exports/{ex_id}/review?lang=en",
        data={"csrf_token": csrf, "decision": "approve", "reason": "ok"},
    )
    assert own.status_code == 403 and M.MSG_OWN_ANALYSIS in html.unescape(own.text)
    reviewer, rcsrf = login(api, REVIEWER)
    assert 'class="stack review-form"' in reviewer.get("/console/linkage/second").text
    approved = reviewer.post(
        f"/console/linkage/second/exports/{ex_id}/review",
        data={"csrf_token": rcsrf, "decision": "approve", "reason": "최소 셀 통과"},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    published = demo.catalog.get_dataset(f"second-output-{ex_id}", principal=SYSTEM)
    assert published.organization == OPERATOR[0]
    assert f"second-output-{ex_id}" in reviewer.get("/console/linkage/second").text

    # closing: only the operator, after typing the name; the page links the proof
    assert analyst.get("/console/linkage/second/close").status_code == 403
    operator, ocsrf = login(api, OPERATOR_EMAIL)
    assert 'id="close-form"' in operator.get("/console/linkage/second/close").text
    wrong = operator.post(
        "/console/linkage/second/close", data={"csrf_token": ocsrf, "confirm": "nope"}
    )
    assert wrong.status_code == 422 and zone_exports(demo, "second")
    closed = operator.post(
        "/console/linkage/second/close",
        data={"csrf_token": ocsrf, "confirm": "second"},
        follow_redirects=False,
    )
    assert closed.status_code == 303 and "closed=" in closed.headers["location"]
    page = operator.get(closed.headers["location"]).text
    assert 'id="destroyed-entry"' in page and 'id="close-link"' not in page
    entry = page.split('id="destroyed-entry"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert operator.get(entry.replace("&amp;", "&")).status_code == 200
    assert zone_exports(demo, "second") == []


def zone_exports(p: Any, name: str) -> list[Any]:
    from datanuri.linkage import listing

    return listing.exports(p.linkage, name, p.accounts.principal_for(OPERATOR_EMAIL))


def test_new_project_form(demo: Any, api: Any) -> None:
    analyst, _ = login(api, ANALYST)
    assert analyst.get("/console/linkage/new").status_code == 403  # edits no organisation
    operator, csrf = login(api, OPERATOR_EMAIL)
    assert 'id="project-form"' in operator.get("/console/linkage/new").text
    form = {
        "csrf_token": csrf,
        "name": "made-in-console",
        "purpose": "시험 목적",
        "legal_basis": "시험 근거",
        "operator": OPERATOR[0],
        "key_authority": KEYS,
        "holder_org_0": HOLDERS[0][0],
        "holder_email_0": POWER,
        "analysts": ANALYST,
        "reviewers": REVIEWER,
        "expires_on": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
    }
    one_holder = operator.post("/console/linkage/new?lang=en", data=form)
    assert one_holder.status_code == 422 and "two holders or more" in one_holder.text
    assert 'value="made-in-console"' in one_holder.text  # the values are kept
    missing = operator.post("/console/linkage/new?lang=en", data={**form, "reviewers": ""})
    assert missing.status_code == 422
    assert ui_text.MSG_LINKAGE_FIELD[1] in missing.text and "reviewers" in missing.text
    made = operator.post(
        "/console/linkage/new",
        data={**form, "holder_org_1": HOLDERS[1][0], "holder_email_1": NHIS},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = operator.get(made.headers["location"]).text
    assert "시험 목적" in page and 'id="created-entry"' in page
    assert AT_RISK_SQL not in page  # a new project has no exports of the demo's


def _info(status: str = "open", days: int = 10, salt: str | None = None) -> Any:
    from datanuri.linkage.zone import ProjectInfo

    expires = dt.date.today() + dt.timedelta(days=days)
    return ProjectInfo("p", "목적", "근거", "zone", status, expires, ("a", "b"), (), salt, 0)


def test_steps_offered_by_role_and_state() -> None:
    from datanuri.web.linkage_views import can_do

    assert can_do(_info(), ("key_authority",), admin=False).issue_salt
    assert not can_do(_info(salt="ab"), ("key_authority",), admin=False).issue_salt
    keys_only = can_do(_info(), ("key_authority",), admin=False)
    assert not keys_only.see_zone and not keys_only.upload and not keys_only.query
    holder = can_do(_info(), ("holder",), admin=False)
    assert holder.upload and not holder.see_zone and not holder.match
    analyst = can_do(_info(), ("analyst",), admin=False)
    assert analyst.query and analyst.export and analyst.match and not analyst.review
    # expired: nothing but closing (which destroys the data) is offered; closed: nothing
    expired = can_do(_info(days=-1), ("operator", "analyst"), admin=False)
    assert expired.close and not expired.query and expired.see_zone
    assert can_do(_info(status="closed"), ("operator",), admin=False) == can_do(
        _info(status="closed"), ("reviewer",), admin=False
    )
    assert not can_do(_info(status="closed"), ("operator",), admin=False).close


def test_histogram_bars_mark_the_threshold() -> None:
    from datanuri.web.linkage_views import report_view

    view = report_view(
        {
            "method": "clk",
            "pairs": [],
            "histogram": {"edges": [0.0, 0.25, 0.5, 0.75, 1.0], "counts": [40, 10, 0, 20]},
            "threshold": 0.5,
        }
    )
    assert [b.height for b in view.bars] == [100.0, 25.0, 0.0, 50.0]
    assert [b.accepted for b in view.bars] == [False, False, True, True]
    assert report_view({"method": "exact", "pairs": []}).bars == ()
