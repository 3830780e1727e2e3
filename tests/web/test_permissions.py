"""The permission matrix: every API route × every role × every access level, with the exact
status code. A route missing from MATRIX fails `test_matrix_covers_every_route`."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.audit.registry import Registration
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import ModelCard
from datanuri.demo.market_history import price_history
from datanuri.web.app import create_app
from tests.helpers import air_csv


def _ai_draft(key: str) -> DecisionDraft:
    return DecisionDraft(
        system="ai-a",
        model_version="v1",
        idempotency_key=key,
        inputs={"x": 1},
        output="deny",
        score=1.5,
        contributions={"x": 0.5},
        base_value=1.0,
        method="m",
    )


PW = "correct horse battery"
ROLES = ("anonymous", "member", "editor", "other_owner", "admin", "auditor")
LEVELS = ("open", "restricted", "personal")
EMAIL = {r: f"{r}@example.org" for r in ROLES if r != "anonymous"}


def rows(role: str, level: str) -> int:
    if level == "personal":
        return 403
    if level == "open" or role in ("member", "editor", "admin"):
        return 200
    return 401 if role == "anonymous" else 403


def only(allowed: tuple[str, ...], ok: int) -> Callable[[str, str], int]:
    return lambda role, level: ok if role in allowed else (401 if role == "anonymous" else 403)


def always(code: int) -> Callable[[str, str], int]:
    return lambda role, level: code


def signed_in(ok: int) -> Callable[[str, str], int]:
    return lambda role, level: 401 if role == "anonymous" else ok


class World:
    """Two organisations, one user per role, and one published dataset per access level."""

    def __init__(self, platform: Any, tmp_path: Any) -> None:
        self.p = platform
        self.tmp = tmp_path
        self.n = 0
        acc = platform.accounts
        platform.accounts.create_organization("org-a", principal=SYSTEM)
        platform.accounts.create_organization("org-b", principal=SYSTEM)
        self.tokens: dict[str, str] = {}
        for role, email in EMAIL.items():
            acc.create_user(
                email,
                display_name=role,
                password=PW,
                platform_role=role if role in ("admin", "auditor") else None,
                principal=SYSTEM,
            )
            self.tokens[role] = acc.create_token(
                name="t", scopes=["read", "publish", "admin"], for_email=email, principal=SYSTEM
            )[1]
        acc.create_user("plain@example.org", display_name="plain", password=PW, principal=SYSTEM)
        acc.add_member("org-a", EMAIL["member"], role="member", principal=SYSTEM)
        acc.add_member("org-a", EMAIL["editor"], role="editor", principal=SYSTEM)
        acc.add_member("org-b", EMAIL["other_owner"], role="owner", principal=SYSTEM)
        for level in LEVELS:
            platform.catalog.create_dataset(
                f"ds-{level}", organization="org-a", access_level=level, principal=SYSTEM
            )
            platform.catalog.publish(
                f"ds-{level}", air_csv(tmp_path / f"{level}.csv"), principal=SYSTEM
            )
        # an AI system of org-a with one decision (no subject: its person would use the code)
        platform.decisions.register_system(
            "ai-a",
            organization="org-a",
            title="AI",
            purpose="screening",
            risk_level="high",
            card=ModelCard("use", "limits"),
            reason_codes={},
            principal=SYSTEM,
        )
        platform.decisions.add_model_version(
            "ai-a", version="v1", kind="other", method="m", principal=SYSTEM
        )
        self.decision = platform.decisions.record(_ai_draft("seed"), principal=SYSTEM).reference
        # a short market price history: price suggestions and their backtest have comparables
        platform.prices.record_history(price_history(40), principal=SYSTEM)
        # its model v1 in the model registry, with drift monitor 1
        platform.models.register(
            Registration(
                system="ai-a",
                version="v1",
                kind="other",
                method="m",
                features=("PM10",),
                training_data=("ds-open@1",),
            ),
            principal=SYSTEM,
        )
        platform.models.add_monitor("ai-a", "v1", principal=SYSTEM)
        # a job row the editor started (a kind no worker runs: it only has to be seen)
        self.editor_job = platform.jobs.queue.enqueue("test", {}, actor=f"user:{EMAIL['editor']}")[
            0
        ].id

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}-{self.n}"

    def auth(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.tokens[role]}"}


def _upload(w: World, role: str, level: str) -> dict[str, Any]:
    path = air_csv(w.tmp / f"{w.fresh('up')}.csv", extra_rows=w.n)
    return {"files": {"file": (path.name, path.read_bytes())}}


def _own_token(w: World, role: str, level: str) -> str:
    email = EMAIL.get(role, "plain@example.org")
    info, _ = w.p.accounts.create_token(name="to-revoke", for_email=email, principal=SYSTEM)
    return str(info.id)


def _proof(w: World, role: str, level: str) -> dict[str, Any]:
    return {"json": {"challenge": "nope", "code": "000000"}}


def _entitlement(w: World, role: str, level: str) -> str:
    return str(w.p.accounts.grant_entitlement("plain@example.org", f"ds-{level}", principal=SYSTEM))


def _access_request(w: World, role: str, level: str) -> str:
    """A fresh pending request of a new user for the restricted dataset (one per call)."""
    email = f"{w.fresh('asker')}@example.org"
    w.p.accounts.create_user(email, display_name="asker", password=PW, principal=SYSTEM)
    made = w.p.access_requests.request(
        "ds-restricted", purpose=PURPOSE, days=30, principal=w.p.accounts.principal_for(email)
    )
    return str(made.id)


PURPOSE = "교통 정책 연구에 쓰려고 신청합니다."
HOOK = "https://93.184.216.34/hook"  # a public address: no DNS lookup needed


def _webhook(w: World, role: str, level: str) -> str:
    """A webhook endpoint of org-b, made when none is left (its owner and admins manage it; to
    others it is not found)."""
    hooks = w.p.channels.webhooks
    found = [e.id for e in hooks.find(principal=SYSTEM) if e.owner == "org:org-b"]
    if not found:
        found = [hooks.create(HOOK, organization="org-b", principal=SYSTEM).endpoint.id]
    return str(found[0])


def _hook_manager(ok: int) -> Callable[[str, str], int]:
    return lambda role, level: {"anonymous": 401, "other_owner": ok, "admin": ok}.get(role, 404)


def _linkage_project(w: World, role: str, level: str) -> str:
    """A fresh linkage project run by org-a: the auditor is its key authority, org-a's member
    and org-b's owner its holders, org-a's editor its analyst, the admin its reviewer."""
    import datetime as dt

    from datanuri.linkage.zone import HolderRef, ProjectDraft

    name = w.fresh("lp")
    w.p.linkage.create_project(
        ProjectDraft(
            name=name,
            purpose="결합 연구",
            legal_basis="법 제28조의3",
            operator="org-a",
            key_authority=EMAIL["auditor"],
            holders=(HolderRef("org-a", EMAIL["member"]), HolderRef("org-b", EMAIL["other_owner"])),
            analysts=(EMAIL["editor"],),
            reviewers=(EMAIL["admin"],),
            expires_on=dt.date.today() + dt.timedelta(days=30),
        ),
        principal=SYSTEM,
    )
    return name


def _keyed_file(w: World, role: str, level: str) -> dict[str, Any]:
    """A holder's keyed file (only an lk_* column) for org-a, as tokenize writes it."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from datanuri.linkage.tokenize import TokenizeOptions, tokenize_table

    table = tokenize_table(
        pa.table({"name": ["김민준", "이서연"]}),
        b"s" * 32,
        TokenizeOptions(id_columns=("name:name",)),
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return {"files": {"file": ("k.parquet", buf.getvalue())}, "data": {"organization": "org-a"}}


def _linkage_reviewer(role: str, level: str) -> int:
    """The admin reviews (no such export: 404); anyone else is not a reviewer."""
    return {"anonymous": 401, "admin": 404}.get(role, 403)


DESK_DRAFT = {
    "title": "버스 정류장별 승하차 인원",
    "description": "정류장별, 시간대별 승하차 인원을 월 단위로 받고 싶습니다.",
    "purpose": "교통 정책 연구에 쓰려고 요청합니다.",
}


def _desk_request(w: World, role: str, level: str) -> str:
    """A fresh data request of a new user, routed to org-a (one per call)."""
    from datanuri.desk.service import RequestDraft

    email = f"{w.fresh('wants')}@example.org"
    w.p.accounts.create_user(email, display_name="요청자", password=PW, principal=SYSTEM)
    made = w.p.desk.file(
        RequestDraft(**DESK_DRAFT, organization="org-a"),
        principal=w.p.accounts.principal_for(email),
    )
    return str(made.request.id)


def _not_mine(role: str, level: str) -> int:
    """Only the requester may: anyone else signed in is refused."""
    return 401 if role == "anonymous" else 403


SYNTHETIC = "측정소명,측정일,PM10\n합성측정소1,2024.03.01,10\n합성측정소2,2024.03.02,20\n"


def _listing(w: World, role: str, level: str, *, published: bool) -> str:
    """A fresh listing of the restricted dataset with a synthetic sample (one per call)."""
    from datanuri.market import licence as L
    from datanuri.market import listing_rules as rules
    from datanuri.market.listings import SyntheticSample

    path = w.tmp / f"{w.fresh('sample')}.csv"
    path.write_text(SYNTHETIC, encoding="utf-8")
    made = w.p.listings.create(
        "ds-restricted",
        title="판매",
        price=rules.OneOff(10_000),
        terms=L.template("commercial-internal"),
        sample=SyntheticSample(path),
        principal=SYSTEM,
    )
    if published:
        w.p.listings.publish(made.id, principal=SYSTEM)
    return str(made.id)


def _listing_expected(role: str, level: str) -> int:
    """Creating a listing: the holder's editors, for restricted data only (422 for the others)."""
    if role == "anonymous":
        return 401
    if role != "editor":
        return 403
    return 201 if level == "restricted" else 422


def _holder_only(role: str, level: str) -> int:
    """Changing a listing on sale: its holder's editors; others see it but may not change it."""
    return {"anonymous": 401, "editor": 200}.get(role, 403)


def _draft_step(role: str, level: str) -> int:
    """Publishing a draft: its holder's editors; to others a draft is not found."""
    return {"anonymous": 401, "editor": 200}.get(role, 404)


def _order(w: World, role: str, level: str) -> str:
    """A fresh paid order by plain@example.org of a listing of org-a's restricted dataset."""
    listing = int(_listing(w, role, level, published=True))
    key = w.fresh("order")
    w.p.orders.top_up("plain@example.org", 10_000, key=key, principal=SYSTEM)
    buyer = w.p.accounts.principal_for("plain@example.org")
    return str(w.p.orders.place(listing, key=key, principal=buyer).id)


def _order_body(w: World, role: str, level: str) -> dict[str, Any]:
    """An order of a fresh listing, the caller's credit topped up first (so it can pay)."""
    listing = int(_listing(w, role, level, published=True))
    key = w.fresh("buy")
    if role != "anonymous":
        w.p.orders.top_up(EMAIL[role], 10_000, key=key, principal=SYSTEM)
    return {"json": {"listing_id": listing, "key": key}}


def _buy_expected(role: str, level: str) -> int:
    """Anyone signed in buys (201); the holder's editor does not buy its own listing (409)."""
    return {"anonymous": 401, "editor": 409}.get(role, 201)


def _order_seen(role: str, level: str) -> int:
    """An order is seen by the selling organisation's editors and administrators (and its
    buyer); to others it is not found."""
    return {"anonymous": 401, "editor": 200, "admin": 200}.get(role, 404)


def _order_changed(role: str, level: str) -> int:
    """Refunds and revocations: administrators (and the selling organisation's owners); its
    editors see the order but are refused; to others it is not found."""
    return {"anonymous": 401, "editor": 403, "admin": 200}.get(role, 404)


def _ask_expected(role: str, level: str) -> int:
    """Asking: personal data is never lent (403); open data and those who already read the rows
    need no request (409); the others get a pending request (201)."""
    if role == "anonymous":
        return 401
    if level == "personal":
        return 403
    if level == "open" or role in ("member", "editor", "admin"):
        return 409
    return 201


def _decide_expected(role: str, level: str) -> int:
    """Approving or refusing: the holder's editors and admins; to anyone else it is not found."""
    return {"anonymous": 401, "editor": 200, "admin": 200}.get(role, 404)


def _login_body(w: World, role: str, level: str) -> dict[str, Any]:
    return {"json": {"email": EMAIL.get(role, "nobody@example.org"), "password": PW}}


# ----- the request desk's analysis firms: org-b is a firm (its owner offers), the editor posts
def _desk_stage(w: World, stage: str) -> str:
    """A fresh project of the editor at `stage` ("open", "offer": project/offers/id with org-b's
    waiting offer, "awarded", "delivered"), as the path part the matrix's URL needs."""
    from datanuri.desk.firms import OfferDraft, ProfileDraft, ProjectDraft

    desk = w.p.firm_desk
    owner, poster = (w.p.accounts.principal_for(EMAIL[r]) for r in ("other_owner", "editor"))
    try:
        desk.profile("org-b")
    except Exception:  # noqa: BLE001 - not a firm yet
        desk.save_profile("org-b", ProfileDraft(skills=("cleaning",)), principal=SYSTEM)
    made = desk.post(
        ProjectDraft(
            title=w.fresh("과제"),
            description="정제",
            skills=("cleaning",),
            budget_min=1,
            budget_max=2,
            due_on=DUE,
        ),
        principal=poster,
    )
    if stage == "open":
        return str(made.id)
    offer = desk.offer(made.id, "org-b", OfferDraft(1, 1), principal=owner)
    if stage == "offer":
        return f"{made.id}/offers/{offer.id}"
    desk.accept(offer.id, principal=poster)
    if stage == "delivered":
        desk.deliver(made.id, "ds-open", principal=owner)
    return str(made.id)


DUE = dt.date.today() + dt.timedelta(days=60)
DESK = "/api/v1/requests/projects/"


DS = "/api/v1/datasets/{ds}"
V1 = DS + "/versions/1"
# (method, route path) -> (concrete path, request kwargs maker or None, expected status(role, level))
MATRIX: dict[
    tuple[str, str], tuple[str, Callable[..., dict[str, Any]] | None, Callable[[str, str], int]]
] = {
    ("GET", "/api/v1"): ("/api/v1", None, always(200)),
    # (before the upload route adds rows that this small policy's hierarchy does not cover)
    ("POST", "/api/v1/datasets/{name}/privacy/scan"): (
        DS + "/privacy/scan",
        None,
        only(("editor",), 200),
    ),
    ("POST", "/api/v1/datasets/{name}/privacy/apply"): (
        DS + "/privacy/apply?wait=true",
        lambda w, r, lvl: {
            "json": {
                "policy": {
                    "quasi_identifiers": {
                        "측정소명": {"rows": [["종로구", "*"], ["중구", "*"], ["용산구", "*"]]}
                    },
                    "insensitive": {
                        c: "air quality measurements, no person's"
                        for c in ("측정일", "PM10", "PM2.5", "비고")
                    },
                    "k": 2,  # the instance floor (PolicyLimits.min_k)
                }
            }
        },
        only(("editor",), 200),
    ),
    ("GET", "/api/v1/datasets/{name}/privacy/releases"): (
        DS + "/privacy/releases",
        None,
        only(("editor",), 200),
    ),
    # the privacy-loss budget: the holder's editors read it; owners (none in org-a here) and
    # admins declare it, for personal datasets only
    ("GET", "/api/v1/datasets/{name}/synth/releases"): (
        DS + "/synth/releases",
        None,
        only(("editor",), 200),
    ),
    # synthesis (the holder's editors): the job runs and refuses these 3-row tables (422)
    ("POST", "/api/v1/datasets/{name}/synth/runs"): (
        DS + "/synth/runs?wait=true",
        lambda w, r, lvl: {"json": {"epsilon": 1.0, "seed": 1}},
        only(("editor",), 422),
    ),
    ("GET", "/api/v1/datasets/{name}/synth/candidates"): (
        DS + "/synth/candidates",
        None,
        only(("editor",), 200),
    ),
    ("GET", "/api/v1/datasets/{name}/synth/candidates/{candidate_id}"): (
        DS + "/synth/candidates/999999",
        None,
        only(("editor",), 404),
    ),
    ("GET", "/api/v1/datasets/{name}/synth/candidates/{candidate_id}/report.html"): (
        DS + "/synth/candidates/999999/report.html",
        None,
        only(("editor",), 404),
    ),
    ("POST", "/api/v1/datasets/{name}/synth/candidates/{candidate_id}/release"): (
        DS + "/synth/candidates/999999/release?wait=true",
        lambda w, r, lvl: {"json": {"target": "ds-synthetic"}},
        only(("editor",), 404),
    ),
    ("GET", "/api/v1/datasets/{name}/privacy/budget"): (
        DS + "/privacy/budget",
        None,
        only(("editor",), 200),
    ),
    ("PUT", "/api/v1/datasets/{name}/privacy/budget"): (
        DS + "/privacy/budget",
        lambda w, r, lvl: {"json": {"epsilon": 1.0}},
        lambda r, lvl: (
            (200 if lvl == "personal" else 422)
            if r == "admin"
            else (401 if r == "anonymous" else 403)
        ),
    ),
    ("GET", "/api/v1/privacy/releases/{release_id}"): (
        "/api/v1/privacy/releases/999999",
        None,
        always(404),
    ),
    ("GET", "/api/v1/privacy/releases/{release_id}/report.html"): (
        "/api/v1/privacy/releases/999999/report.html",
        None,
        always(404),
    ),
    # pseudonymisation keys: the organisation's editors only (admins and other owners too are refused)
    ("GET", "/api/v1/organizations/{name}/privacy/keys"): (
        "/api/v1/organizations/org-a/privacy/keys",
        None,
        only(("editor",), 200),
    ),
    ("POST", "/api/v1/organizations/{name}/privacy/keys"): (
        "/api/v1/organizations/org-a/privacy/keys",
        lambda w, r, lvl: {"json": {"name": w.fresh("key")}},
        only(("editor",), 201),
    ),
    ("GET", "/api/v1/organizations"): ("/api/v1/organizations", None, always(200)),
    ("POST", "/api/v1/organizations"): (
        "/api/v1/organizations",
        lambda w, r, lvl: {"json": {"name": w.fresh("org")}},
        only(("admin",), 201),
    ),
    ("GET", "/api/v1/organizations/{name}"): ("/api/v1/organizations/org-a", None, always(200)),
    ("POST", "/api/v1/organizations/{name}/members"): (
        "/api/v1/organizations/org-a/members",
        lambda w, r, lvl: {"json": {"email": "plain@example.org", "role": "member"}},
        only(("admin",), 200),
    ),
    ("GET", "/api/v1/datasets"): ("/api/v1/datasets", None, always(200)),
    ("POST", "/api/v1/datasets"): (
        "/api/v1/datasets",
        lambda w, r, lvl: {"json": {"name": w.fresh("new"), "organization": "org-a"}},
        only(("editor",), 201),
    ),
    ("GET", "/api/v1/datasets/{name}"): (DS, None, always(200)),
    ("PATCH", "/api/v1/datasets/{name}"): (
        DS,
        lambda w, r, lvl: {"json": {"description": "갱신"}},
        only(("editor",), 200),
    ),
    ("POST", "/api/v1/datasets/{name}/versions"): (
        DS + "/versions?wait=true",
        _upload,
        only(("editor",), 201),
    ),
    ("GET", "/api/v1/datasets/{name}/versions"): (DS + "/versions", None, always(200)),
    ("GET", "/api/v1/datasets/{name}/versions/{version}"): (V1, None, always(200)),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/schema"): (
        V1 + "/schema",
        None,
        always(200),
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/profile"): (
        V1 + "/profile",
        None,
        always(200),
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/problems"): (
        V1 + "/problems",
        None,
        always(200),
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/preview"): (V1 + "/preview", None, rows),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/chart"): (
        V1 + "/chart?chart=PM10",
        None,
        rows,
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/map"): (V1 + "/map", None, rows),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/download"): (
        V1 + "/download?format=csv",
        None,
        rows,
    ),
    ("POST", "/api/v1/datasets/{name}/entitlements"): (
        DS + "/entitlements",
        lambda w, r, lvl: {"json": {"email": "plain@example.org"}},
        only(("admin",), 201),
    ),
    ("DELETE", "/api/v1/entitlements/{entitlement_id}"): (
        "/api/v1/entitlements/{entitlement}",
        None,
        only(("admin",), 200),
    ),
    # audits: anyone signed in who may read the version's rows runs one (the air table has no
    # outcome columns: a model audit stops at them, 422, after the rights are checked);
    # a stored audit is for whoever ran it and admins (none here: not found)
    ("POST", "/api/v1/audits/model"): (
        "/api/v1/audits/model",
        lambda w, r, lvl: {
            "json": {"dataset": f"ds-{lvl}", "y_true": "y", "y_pred": "p", "groups": ["비고"]}
        },
        lambda r, lvl: 401 if r == "anonymous" else (422 if rows(r, lvl) == 200 else rows(r, lvl)),
    ),
    ("POST", "/api/v1/audits/dataset"): (
        "/api/v1/audits/dataset",
        lambda w, r, lvl: {"json": {"dataset": f"ds-{lvl}", "groups": ["비고"], "proxies": False}},
        lambda r, lvl: 401 if r == "anonymous" else (201 if rows(r, lvl) == 200 else rows(r, lvl)),
    ),
    ("GET", "/api/v1/audits/{audit_id}"): ("/api/v1/audits/999999", None, always(404)),
    ("GET", "/api/v1/audits/{audit_id}/report.html"): (
        "/api/v1/audits/999999/report.html",
        None,
        always(404),
    ),
    # access requests: anyone signed in may ask for a restricted dataset they cannot read yet;
    # the holder's editors and admins decide; someone else's request is not found
    ("POST", "/api/v1/datasets/{name}/access-requests"): (
        DS + "/access-requests",
        lambda w, r, lvl: {"json": {"purpose": PURPOSE, "days": 30}},
        _ask_expected,
    ),
    ("GET", "/api/v1/access-requests/mine"): ("/api/v1/access-requests/mine", None, signed_in(200)),
    ("GET", "/api/v1/access-requests"): (
        "/api/v1/access-requests",
        None,
        only(("editor", "other_owner", "admin"), 200),  # those who hold data to decide on
    ),
    ("GET", "/api/v1/notifications"): ("/api/v1/notifications", None, signed_in(200)),
    # webhooks: anyone signed in registers their own; an organisation's owners and admins
    # manage its endpoints; someone else's endpoint is not found
    ("GET", "/api/v1/webhooks"): ("/api/v1/webhooks", None, signed_in(200)),
    ("POST", "/api/v1/webhooks"): (
        "/api/v1/webhooks",
        lambda w, r, lvl: {"json": {"url": HOOK}},
        signed_in(201),
    ),
    ("DELETE", "/api/v1/webhooks/{endpoint_id}"): (
        "/api/v1/webhooks/{webhook}",
        None,
        _hook_manager(200),
    ),
    ("POST", "/api/v1/webhooks/{endpoint_id}/enable"): (
        "/api/v1/webhooks/{webhook}/enable",
        None,
        _hook_manager(200),
    ),
    ("POST", "/api/v1/webhooks/{endpoint_id}/ping"): (
        "/api/v1/webhooks/{webhook}/ping",
        None,
        _hook_manager(202),
    ),
    ("GET", "/api/v1/webhooks/{endpoint_id}/deliveries"): (
        "/api/v1/webhooks/{webhook}/deliveries",
        None,
        _hook_manager(200),
    ),
    ("GET", "/api/v1/notifications/settings"): (
        "/api/v1/notifications/settings",
        None,
        signed_in(200),
    ),
    ("PUT", "/api/v1/notifications/settings"): (
        "/api/v1/notifications/settings",
        lambda w, r, lvl: {"json": {"email": False}},
        signed_in(200),
    ),
    ("POST", "/api/v1/access-requests/{request_id}/approve"): (
        "/api/v1/access-requests/{request}/approve",
        lambda w, r, lvl: {"json": {}},
        _decide_expected,
    ),
    ("POST", "/api/v1/access-requests/{request_id}/refuse"): (
        "/api/v1/access-requests/{request}/refuse",
        lambda w, r, lvl: {"json": {"reason": "목적이 데이터의 범위와 맞지 않습니다."}},
        _decide_expected,
    ),
    ("POST", "/api/v1/access-requests/{request_id}/withdraw"): (
        "/api/v1/access-requests/{request}/withdraw",
        None,
        # only the requester withdraws; holders see the request (403), others do not (404)
        lambda r, lvl: {"anonymous": 401, "editor": 403, "admin": 403}.get(r, 404),
    ),
    # the data request desk: anyone reads; the signed-in file and join; the requester withdraws
    # and disputes; the routed holder's editors answer, extend and deliver; admins route,
    # decide disputes and sweep
    ("GET", "/api/v1/requests"): ("/api/v1/requests", None, always(200)),
    ("POST", "/api/v1/requests"): (
        "/api/v1/requests",
        lambda w, r, lvl: {"json": DESK_DRAFT},
        signed_in(201),
    ),
    ("GET", "/api/v1/requests/preview"): ("/api/v1/requests/preview?title=버스", None, always(200)),
    ("GET", "/api/v1/requests/stats"): ("/api/v1/requests/stats", None, always(200)),
    ("GET", "/api/v1/requests/vocabulary"): ("/api/v1/requests/vocabulary", None, always(200)),
    ("POST", "/api/v1/requests/sweep"): ("/api/v1/requests/sweep", None, only(("admin",), 200)),
    ("GET", "/api/v1/requests/{request_id}"): ("/api/v1/requests/{desk}", None, always(200)),
    ("GET", "/api/v1/requests/{request_id}/history"): (
        "/api/v1/requests/{desk}/history",
        None,
        always(200),
    ),
    ("POST", "/api/v1/requests/{request_id}/support"): (
        "/api/v1/requests/{desk}/support",
        None,
        signed_in(200),
    ),
    ("DELETE", "/api/v1/requests/{request_id}/support"): (
        "/api/v1/requests/{desk}/support",
        None,
        signed_in(409),  # nobody but the requester supports a fresh request
    ),
    ("POST", "/api/v1/requests/{request_id}/withdraw"): (
        "/api/v1/requests/{desk}/withdraw",
        None,
        _not_mine,
    ),
    ("POST", "/api/v1/requests/{request_id}/route"): (
        "/api/v1/requests/{desk}/route",
        lambda w, r, lvl: {"json": {"organization": "org-b"}},
        only(("admin",), 409),  # already routed to org-a at filing
    ),
    ("POST", "/api/v1/requests/{request_id}/answer"): (
        "/api/v1/requests/{desk}/answer",
        lambda w, r, lvl: {"json": {"kind": "refuse", "reason": "not_held", "note": "없음"}},
        only(("editor",), 200),  # not admins: only the holder answers
    ),
    ("POST", "/api/v1/requests/{request_id}/deliver"): (
        "/api/v1/requests/{desk}/deliver",
        lambda w, r, lvl: {"json": {"dataset": "ds-open"}},
        only(("editor",), 409),  # not answered "process"
    ),
    ("POST", "/api/v1/requests/{request_id}/extend"): (
        "/api/v1/requests/{desk}/extend",
        lambda w, r, lvl: {"json": {"reason": "자료 취합 중"}},
        only(("editor",), 200),
    ),
    ("POST", "/api/v1/requests/{request_id}/dispute"): (
        "/api/v1/requests/{desk}/dispute",
        lambda w, r, lvl: {"json": {"reasons": "답변을 받아들일 수 없습니다."}},
        _not_mine,
    ),
    ("POST", "/api/v1/requests/{request_id}/dispute/decision"): (
        "/api/v1/requests/{desk}/dispute/decision",
        lambda w, r, lvl: {"json": {"outcome": "dismissed"}},
        only(("admin",), 409),  # no dispute in mediation
    ),
    # the request desk's analysis firms: the directory, projects and rankings are public; only
    # a firm's editors offer, only the poster accepts and completes, only the firm delivers
    ("GET", "/api/v1/requests/firms"): ("/api/v1/requests/firms", None, always(200)),
    ("GET", "/api/v1/requests/firms/offers/mine"): (
        "/api/v1/requests/firms/offers/mine",
        None,
        signed_in(200),
    ),
    ("GET", "/api/v1/requests/firms/{name}"): (
        "/api/v1/requests/firms/org-b",
        lambda w, r, lvl: _desk_stage(w, "open") and {},
        always(200),
    ),
    ("PUT", "/api/v1/requests/firms/{name}"): (
        "/api/v1/requests/firms/org-b",
        lambda w, r, lvl: {"json": {"skills": ["cleaning", "analysis"]}},
        only(("other_owner", "admin"), 200),
    ),
    ("GET", "/api/v1/requests/projects"): ("/api/v1/requests/projects", None, always(200)),
    ("POST", "/api/v1/requests/projects"): (
        "/api/v1/requests/projects",
        lambda w, r, lvl: {
            "json": {
                "title": "정제 과제",
                "description": "대기질 자료 정제",
                "skills": ["cleaning"],
                "budget_min": 1_000_000,
                "budget_max": 2_000_000,
                "due_on": DUE.isoformat(),
            }
        },
        signed_in(201),
    ),
    ("GET", "/api/v1/requests/projects/{project_id}"): (DESK + "{open}", None, always(200)),
    ("GET", "/api/v1/requests/projects/{project_id}/ranking"): (
        DESK + "{open}/ranking",
        None,
        always(200),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/offers"): (
        DESK + "{open}/offers",
        lambda w, r, lvl: {"json": {"firm": "org-b", "price": 1_500_000, "days": 20}},
        only(("other_owner",), 201),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/offers/{offer_id}/withdraw"): (
        DESK + "{offer}/withdraw",
        None,
        # the firm withdraws; the poster and admins see the offer (403), others do not (404)
        lambda r, lvl: {"anonymous": 401, "other_owner": 200, "editor": 403, "admin": 403}.get(
            r, 404
        ),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/offers/{offer_id}/accept"): (
        DESK + "{offer}/accept",
        None,
        lambda r, lvl: {"anonymous": 401, "editor": 200, "other_owner": 403, "admin": 403}.get(
            r, 404
        ),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/deliver"): (
        DESK + "{awarded}/deliver",
        lambda w, r, lvl: {"json": {"dataset": "ds-open"}},
        only(("other_owner",), 200),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/complete"): (
        DESK + "{delivered}/complete",
        lambda w, r, lvl: {"json": {"rating": 5}},
        only(("editor",), 200),
    ),
    ("POST", "/api/v1/requests/projects/{project_id}/cancel"): (
        DESK + "{open}/cancel",
        lambda w, r, lvl: {"json": {"reason": "예산 부족"}},
        only(("editor", "admin"), 200),
    ),
    # market listings: the holder's editors manage them (restricted data only); a listing on sale
    # is seen by all who see its dataset, a draft only by its holders
    ("GET", "/api/v1/market/listings"): ("/api/v1/market/listings", None, always(200)),
    ("POST", "/api/v1/market/listings"): (
        "/api/v1/market/listings",
        lambda w, r, lvl: {
            "json": {
                "dataset": f"ds-{lvl}",
                "title": "판매",
                "price": {"kind": "one-off", "per_version_krw": 10000},
                "licence_template": "commercial-internal",
                "sample": {"csv": SYNTHETIC},
            }
        },
        _listing_expected,
    ),
    ("GET", "/api/v1/market/licence-templates"): (
        "/api/v1/market/licence-templates",
        None,
        always(200),
    ),
    ("GET", "/api/v1/market/listings/{listing_id}"): (
        "/api/v1/market/listings/{listing}",
        None,
        always(200),
    ),
    ("PATCH", "/api/v1/market/listings/{listing_id}"): (
        "/api/v1/market/listings/{listing}",
        lambda w, r, lvl: {"json": {"title": "새 제목"}},
        _holder_only,
    ),
    # price suggestions: the listing's holders; the backtest (an aggregate) anyone signed in
    ("GET", "/api/v1/market/listings/{listing_id}/price-suggestion"): (
        "/api/v1/market/listings/{listing}/price-suggestion",
        None,
        _holder_only,
    ),
    ("GET", "/api/v1/market/price-backtest"): (
        "/api/v1/market/price-backtest?min_train=30",
        None,
        signed_in(200),
    ),
    ("POST", "/api/v1/market/listings/{listing_id}/{step}"): (
        "/api/v1/market/listings/{draft}/publish",
        None,
        _draft_step,
    ),
    # market orders: anyone signed in buys from their credit; an order is its buyer's, its
    # seller's editors' and the administrators'; refunds and revocations its seller's owners'
    ("GET", "/api/v1/market/orders"): ("/api/v1/market/orders", None, signed_in(200)),
    ("POST", "/api/v1/market/orders"): ("/api/v1/market/orders", _order_body, _buy_expected),
    ("GET", "/api/v1/market/orders/{order_id}"): (
        "/api/v1/market/orders/{order}",
        None,
        _order_seen,
    ),
    ("GET", "/api/v1/market/orders/{order_id}/invoice"): (
        "/api/v1/market/orders/{order}/invoice",
        None,
        _order_seen,
    ),
    ("POST", "/api/v1/market/orders/{order_id}/refund"): (
        "/api/v1/market/orders/{order}/refund",
        lambda w, r, lvl: {"json": {"key": w.fresh("refund")}},
        _order_changed,
    ),
    ("POST", "/api/v1/market/orders/{order_id}/revoke"): (
        "/api/v1/market/orders/{order}/revoke",
        None,
        _order_changed,
    ),
    ("GET", "/api/v1/market/sales"): (
        "/api/v1/market/sales?org=org-a",
        None,
        only(("editor", "admin"), 200),
    ),
    ("GET", "/api/v1/market/subscriptions"): (
        "/api/v1/market/subscriptions",
        None,
        signed_in(200),
    ),
    ("GET", "/api/v1/market/credit"): ("/api/v1/market/credit", None, signed_in(200)),
    ("POST", "/api/v1/market/credit/topup"): (
        "/api/v1/market/credit/topup",
        lambda w, r, lvl: {
            "json": {"email": "plain@example.org", "amount": 1000, "key": w.fresh("top")}
        },
        only(("admin",), 200),
    ),
    # self-service accounts: public; a mail may go out, the answer is the same for any address
    ("POST", "/api/v1/auth/signup"): (
        "/api/v1/auth/signup",
        lambda w, r, lvl: {
            "json": {
                "email": f"{w.fresh('new')}@example.org",
                "display_name": "new",
                "password": PW,
            }
        },
        always(202),
    ),
    ("POST", "/api/v1/auth/signup/resend"): (
        "/api/v1/auth/signup/resend",
        lambda w, r, lvl: {"json": {"email": "plain@example.org"}},
        always(202),
    ),
    ("POST", "/api/v1/auth/password/forgot"): (
        "/api/v1/auth/password/forgot",
        lambda w, r, lvl: {"json": {"email": "plain@example.org"}},
        always(202),
    ),
    ("POST", "/api/v1/auth/verify"): (
        "/api/v1/auth/verify",
        lambda w, r, lvl: {"json": {"token": "not-a-link"}},
        always(401),  # a link that was never mailed
    ),
    ("POST", "/api/v1/auth/password/reset"): (
        "/api/v1/auth/password/reset",
        lambda w, r, lvl: {"json": {"token": "not-a-link", "password": PW + " new"}},
        always(401),
    ),
    # search ranking: admins edit synonyms and mark official holders
    ("GET", "/api/v1/search/synonyms"): ("/api/v1/search/synonyms", None, only(("admin",), 200)),
    ("POST", "/api/v1/search/synonyms"): (
        "/api/v1/search/synonyms",
        lambda w, r, lvl: {"json": {"terms": [w.fresh("말"), w.fresh("낱말")]}},
        only(("admin",), 201),
    ),
    ("DELETE", "/api/v1/search/synonyms"): (
        "/api/v1/search/synonyms?term=nothing-like-this",
        None,
        only(("admin",), 404),  # no set holds the term
    ),
    ("PUT", "/api/v1/organizations/{name}/official"): (
        "/api/v1/organizations/org-a/official",
        lambda w, r, lvl: {"json": {"official": True}},
        only(("admin",), 200),
    ),
    ("GET", "/api/v1/jobs"): ("/api/v1/jobs", None, always(200)),
    ("GET", "/api/v1/jobs/{job_id}"): (
        "/api/v1/jobs/{job}",
        None,
        lambda r, lvl: 200 if r in ("editor", "admin") else 404,
    ),
    ("POST", "/api/v1/auth/login"): ("/api/v1/auth/login", _login_body, signed_in(200)),
    ("POST", "/api/v1/auth/token"): ("/api/v1/auth/token", _login_body, signed_in(201)),
    ("POST", "/api/v1/auth/logout"): ("/api/v1/auth/logout", None, always(200)),
    # the second factor: an unknown pending login is refused whoever sends it
    ("POST", "/api/v1/auth/second-factor"): ("/api/v1/auth/second-factor", _proof, always(401)),
    ("POST", "/api/v1/auth/second-factor/token"): (
        "/api/v1/auth/second-factor/token",
        _proof,
        always(401),
    ),
    ("POST", "/api/v1/auth/second-factor/passkey-options"): (
        "/api/v1/auth/second-factor/passkey-options",
        _proof,
        always(401),
    ),
    # enrolment starts from a browser session, never with a token
    ("POST", "/api/v1/auth/enroll"): ("/api/v1/auth/enroll", None, only((), 201)),
    ("POST", "/api/v1/auth/enroll/totp"): ("/api/v1/auth/enroll/totp", _proof, always(401)),
    ("POST", "/api/v1/auth/enroll/totp/confirm"): (
        "/api/v1/auth/enroll/totp/confirm",
        _proof,
        always(401),
    ),
    ("POST", "/api/v1/auth/enroll/passkey-options"): (
        "/api/v1/auth/enroll/passkey-options",
        _proof,
        always(401),
    ),
    ("POST", "/api/v1/auth/enroll/passkey"): (
        "/api/v1/auth/enroll/passkey",
        lambda w, r, lvl: {"json": {"challenge": "nope", "credential": {}}},
        always(401),
    ),
    ("GET", "/api/v1/me/second-factors"): ("/api/v1/me/second-factors", None, signed_in(200)),
    ("GET", "/api/v1/security/alerts"): (
        "/api/v1/security/alerts?everyone=true",
        None,
        only(("admin", "auditor"), 200),
    ),
    ("GET", "/api/v1/me"): ("/api/v1/me", None, always(200)),
    ("GET", "/api/v1/users"): ("/api/v1/users", None, only(("admin",), 200)),
    ("POST", "/api/v1/users"): (
        "/api/v1/users",
        lambda w, r, lvl: {
            "json": {
                "email": f"{w.fresh('u')}@example.org",
                "display_name": "새 사용자",
                "password": PW,
            }
        },
        only(("admin",), 201),
    ),
    ("GET", "/api/v1/tokens"): ("/api/v1/tokens", None, signed_in(200)),
    ("POST", "/api/v1/tokens"): (
        "/api/v1/tokens",
        lambda w, r, lvl: {"json": {"name": "n"}},
        signed_in(201),
    ),
    ("DELETE", "/api/v1/tokens/{token_id}"): ("/api/v1/tokens/{token}", None, signed_in(200)),
    ("GET", "/api/v1/access-log"): (
        "/api/v1/access-log",
        None,
        lambda r, lvl: {"anonymous": 401, "member": 403}.get(r, 200),
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/receipt"): (
        V1 + "/receipt",
        None,
        always(200),
    ),
    ("GET", "/api/v1/ledger/checkpoint"): ("/api/v1/ledger/checkpoint", None, always(200)),
    ("GET", "/api/v1/ledger/entries"): ("/api/v1/ledger/entries", None, always(200)),
    ("GET", "/api/v1/ledger/event-types"): ("/api/v1/ledger/event-types", None, always(200)),
    ("GET", "/api/v1/ledger/entries/{index}/receipt"): (
        "/api/v1/ledger/entries/0/receipt",
        None,
        always(200),
    ),
    ("GET", "/api/v1/ledger/proof/inclusion"): (
        "/api/v1/ledger/proof/inclusion?index=0",
        None,
        always(200),
    ),
    ("GET", "/api/v1/ledger/proof/consistency"): (
        "/api/v1/ledger/proof/consistency?first=1&second=2",
        None,
        always(200),
    ),
    # anyone may offer a cosignature; only those of trusted witness keys are kept
    ("POST", "/api/v1/ledger/cosignatures"): (
        "/api/v1/ledger/cosignatures",
        lambda w, r, lvl: {"json": {"checkpoint": "not a note"}},
        always(422),
    ),
    ("GET", "/api/v1/search"): ("/api/v1/search?q=air", None, always(200)),
    ("GET", "/api/v1/datamap"): ("/api/v1/datamap", None, always(200)),
    ("GET", "/api/v1/datasets/{name}/schema.org.json"): (
        DS + "/schema.org.json",
        None,
        always(200),
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/croissant.json"): (
        V1 + "/croissant.json",
        None,
        lambda r, lvl: 403 if lvl == "personal" else 200,
    ),
    ("GET", "/api/v1/datasets/{name}/versions/{version}/datapackage.json"): (
        V1 + "/datapackage.json",
        None,
        lambda r, lvl: 403 if lvl == "personal" else 200,
    ),
    # a dataset's life, last (a withdrawn version serves no rows): a dataset with versions is
    # never deleted (409 for its editors); only its editors withdraw a version
    ("DELETE", "/api/v1/datasets/{name}"): (DS, None, only(("editor",), 409)),
    ("POST", "/api/v1/datasets/{name}/versions/{version}/withdraw"): (
        V1 + "/withdraw",
        lambda w, r, lvl: {"json": {"reason": "시험 철회"}},
        only(("editor",), 200),
    ),
    ("GET", "/api/3"): ("/api/3", None, always(200)),
    ("GET", "/api/3/action/{action}"): ("/api/3/action/status_show", None, always(200)),
    ("POST", "/api/3/action/{action}"): ("/api/3/action/status_show", None, always(200)),
    ("GET", "/api/action/{action}"): ("/api/action/status_show", None, always(200)),
    ("POST", "/api/action/{action}"): ("/api/action/status_show", None, always(200)),
    ("GET", "/api/v1/datasets/{name}/counts"): (DS + "/counts", None, always(200)),
    ("PUT", "/api/v1/datasets/{name}/column-notes"): (
        DS + "/column-notes",
        lambda w, r, lvl: {"json": {"column": "PM10", "unit": "㎍/㎥"}},
        only(("editor",), 200),
    ),
    # AI decisions: the registry is public; the owner organisation's editors (and admins) add
    # to it and record decisions; a decision is the person's (by code) and its owners', not
    # found to anyone else; reviewers and admins see contests; admins assign and escalate
    ("GET", "/api/v1/ai/systems"): ("/api/v1/ai/systems", None, always(200)),
    ("POST", "/api/v1/ai/systems"): (
        "/api/v1/ai/systems",
        lambda w, r, lvl: {
            "json": {
                "name": w.fresh("sys"),
                "organization": "org-a",
                "title": "t",
                "purpose": "p",
                "risk_level": "limited",
                "intended_use": "u",
                "limitations": "l",
            }
        },
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/ai/systems/{name}"): ("/api/v1/ai/systems/ai-a", None, always(200)),
    ("POST", "/api/v1/ai/systems/{name}/versions"): (
        "/api/v1/ai/systems/ai-a/versions",
        lambda w, r, lvl: {"json": {"version": w.fresh("v"), "kind": "other", "method": "m"}},
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/ai/systems/{name}/decisions"): (
        "/api/v1/ai/systems/ai-a/decisions",
        None,
        only(("editor", "admin", "auditor"), 200),
    ),
    ("GET", "/api/v1/ai/systems/{name}/oversight"): (
        "/api/v1/ai/systems/ai-a/oversight",
        None,
        only(("editor", "admin", "auditor"), 200),
    ),
    ("POST", "/api/v1/ai/decisions"): (
        "/api/v1/ai/decisions",
        lambda w, r, lvl: {
            "json": {
                **{k: v for k, v in vars(_ai_draft(w.fresh("k"))).items() if v is not None},
                "reason_codes": [],
            }
        },
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/ai/decisions/{reference}"): (
        "/api/v1/ai/decisions/{decision}",
        None,
        lambda r, lvl: 200 if r in ("editor", "admin") else 404,
    ),
    ("GET", "/api/v1/ai/decisions/{reference}/receipts/{step}"): (
        "/api/v1/ai/decisions/{decision}/receipts/recorded",
        None,
        lambda r, lvl: 200 if r in ("editor", "admin") else 404,
    ),
    ("POST", "/api/v1/ai/decisions/{reference}/contests"): (
        "/api/v1/ai/decisions/{decision}/contests",
        lambda w, r, lvl: {"json": {"explanation": "이 결정은 잘못된 자료에 근거합니다."}},
        always(404),  # only the person contests (by code or account); owners too get 404
    ),
    ("GET", "/api/v1/ai/contests"): ("/api/v1/ai/contests", None, only(("admin",), 200)),
    ("POST", "/api/v1/ai/contests/escalate"): (
        "/api/v1/ai/contests/escalate",
        None,
        only(("admin",), 200),
    ),
    ("POST", "/api/v1/ai/contests/{contest_id}/assign"): (
        "/api/v1/ai/contests/999999/assign",
        lambda w, r, lvl: {"json": {"reviewer": "plain@example.org"}},
        only(("admin",), 404),
    ),
    # the model registry and its cards are public; owners register models, add and run monitors
    # and read their runs
    ("GET", "/api/v1/ai/models"): ("/api/v1/ai/models", None, always(200)),
    ("POST", "/api/v1/ai/models"): (
        "/api/v1/ai/models",
        lambda w, r, lvl: {
            "json": {
                "system": "ai-a",
                "version": w.fresh("mv"),
                "kind": "other",
                "method": "m",
                "features": ["PM10"],
                "training_data": ["ds-open@1"],
            }
        },
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/ai/models/{system}/{version}/card"): (
        "/api/v1/ai/models/ai-a/v1/card",
        None,
        always(200),
    ),
    ("GET", "/api/v1/ai/models/{system}/{version}/card.html"): (
        "/api/v1/ai/models/ai-a/v1/card.html",
        None,
        always(200),
    ),
    ("POST", "/api/v1/ai/models/{system}/{version}/monitors"): (
        "/api/v1/ai/models/ai-a/v1/monitors",
        lambda w, r, lvl: {"json": {"window_days": 7}},
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/ai/monitors"): ("/api/v1/ai/monitors", None, always(200)),
    ("POST", "/api/v1/ai/monitors/{monitor_id}/runs"): (
        "/api/v1/ai/monitors/1/runs",
        lambda w, r, lvl: {"json": {}},
        only(("editor", "admin"), 200),
    ),
    ("GET", "/api/v1/ai/monitors/{monitor_id}/runs"): (
        "/api/v1/ai/monitors/1/runs",
        None,
        only(("editor", "admin"), 200),
    ),
    ("POST", "/api/v1/ai/contests/{contest_id}/decide"): (
        "/api/v1/ai/contests/999999/decide",
        lambda w, r, lvl: {"json": {"outcome": "uphold", "reasons": "x" * 30}},
        signed_in(404),
    ),
    # The linkage zone: a fresh project per call (org-a operates it); each step is its role's
    ("POST", "/api/v1/linkage/projects"): (
        "/api/v1/linkage/projects",
        lambda w, r, lvl: {
            "json": {
                "name": w.fresh("newlp"),
                "purpose": "p",
                "legal_basis": "b",
                "operator": "org-a",
                "key_authority": EMAIL["auditor"],
                "holders": [
                    {"organization": "org-a", "email": EMAIL["member"]},
                    {"organization": "org-b", "email": EMAIL["other_owner"]},
                ],
                "analysts": [EMAIL["editor"]],
                "reviewers": [EMAIL["admin"]],
                "expires_on": "2099-12-31",
            }
        },
        only(("editor", "admin"), 201),
    ),
    ("GET", "/api/v1/linkage/projects/{name}"): (
        "/api/v1/linkage/projects/{lp}",
        None,
        signed_in(200),  # every signed-in role here is a member (or the admin)
    ),
    ("POST", "/api/v1/linkage/projects/{name}/salt"): (
        "/api/v1/linkage/projects/{lp}/salt",
        None,
        only(("auditor",), 200),
    ),
    ("POST", "/api/v1/linkage/projects/{name}/uploads"): (
        "/api/v1/linkage/projects/{lp}/uploads",
        _keyed_file,
        only(("member",), 201),
    ),
    ("POST", "/api/v1/linkage/projects/{name}/runs"): (
        "/api/v1/linkage/projects/{lp}/runs",
        lambda w, r, lvl: {"json": {}},
        only(("editor",), 422),  # nothing uploaded yet
    ),
    ("POST", "/api/v1/linkage/projects/{name}/query"): (
        "/api/v1/linkage/projects/{lp}/query",
        lambda w, r, lvl: {"json": {"sql": "SELECT 1"}},
        only(("editor",), 422),  # nothing linked yet
    ),
    ("POST", "/api/v1/linkage/projects/{name}/exports"): (
        "/api/v1/linkage/projects/{lp}/exports",
        lambda w, r, lvl: {"json": {"sql": "SELECT 1 AS a", "group_by": ["a"]}},
        only(("editor",), 422),  # nothing linked yet
    ),
    ("POST", "/api/v1/linkage/projects/{name}/exports/{export_id}/review"): (
        "/api/v1/linkage/projects/{lp}/exports/1/review",
        lambda w, r, lvl: {"json": {"approve": True, "reason": "ok"}},
        _linkage_reviewer,
    ),
    ("POST", "/api/v1/linkage/projects/{name}/close"): (
        "/api/v1/linkage/projects/{lp}/close",
        None,
        only(("editor", "admin"), 200),
    ),
    # MyData's transfer API takes only a DPoP-bound OAuth token: session cookies and API tokens
    # of any role are refused (401) before anything is read.
    ("GET", "/api/v1/mydata/transfers/{holder}/{dataset}"): (
        "/api/v1/mydata/transfers/org/ds-open",
        None,
        always(401),
    ),
    ("POST", "/api/v1/mydata/consent/revoke"): (
        "/api/v1/mydata/consent/revoke",
        None,
        always(401),
    ),
    # the recipient's deletion acknowledgement takes only its signed client assertion
    ("POST", "/api/v1/mydata/consent/deletion"): (
        "/api/v1/mydata/consent/deletion",
        None,
        always(401),
    ),
    # MyData: offers are public, declared by the holder's editors (the body names no column of
    # the test dataset: 422 to them); the dashboard and own rows are a person's (no one here is
    # linked to a person: 403); consents are their person's and the holder's (404 to others);
    # the holder's lists are its editors'
    ("GET", "/api/v1/mydata/offers"): ("/api/v1/mydata/offers", None, always(200)),
    ("POST", "/api/v1/mydata/offers"): (
        "/api/v1/mydata/offers",
        lambda w, r, lvl: {
            "json": {
                "dataset": "ds-personal",
                "subject_column": "nope",
                "items": [{"name": "a", "columns": ["b"], "label_ko": "가", "label_en": "A"}],
            }
        },
        only(("editor", "admin"), 422),
    ),
    ("GET", "/api/v1/mydata/offers/{dataset}"): (
        "/api/v1/mydata/offers/ds-personal",
        None,
        always(404),
    ),
    ("GET", "/api/v1/mydata/holders/{org}/consents"): (
        "/api/v1/mydata/holders/org-a/consents",
        None,
        only(("editor", "admin"), 200),
    ),
    ("GET", "/api/v1/mydata/holders/{org}/transfers"): (
        "/api/v1/mydata/holders/org-a/transfers",
        None,
        only(("editor", "admin"), 200),
    ),
    ("GET", "/api/v1/mydata/me"): ("/api/v1/mydata/me", None, signed_in(200)),
    ("GET", "/api/v1/mydata/me/rows/{dataset}"): (
        "/api/v1/mydata/me/rows/{ds}",
        None,
        signed_in(403),
    ),
    ("GET", "/api/v1/mydata/consents/{consent_id}"): (
        "/api/v1/mydata/consents/cns_none",
        None,
        always(404),
    ),
    ("POST", "/api/v1/mydata/consents/{consent_id}/revoke"): (
        "/api/v1/mydata/consents/cns_none/revoke",
        None,
        signed_in(404),
    ),
    ("GET", "/api/v1/mydata/consents/{consent_id}/receipt"): (
        "/api/v1/mydata/consents/cns_none/receipt",
        None,
        always(404),
    ),
}
# routes that name the dataset in their body, not their path
DATASET_IN_BODY = {("POST", "/api/v1/audits/model"), ("POST", "/api/v1/audits/dataset")}
LEVEL_INDEPENDENT = {
    k
    for k, (path, _, _) in MATRIX.items()
    if "{ds}" not in path and "{entitlement}" not in path and k not in DATASET_IN_BODY
}


def test_matrix_covers_every_route(api):
    paths = api.app.openapi()["paths"]
    routes = {
        (method.upper(), path)
        for path, ops in paths.items()
        if path.startswith("/api/")
        for method in ops
    }
    assert routes - set(MATRIX) == set(), "add these routes to the permission matrix"
    assert set(MATRIX) - routes == set(), "these matrix entries name routes that no longer exist"


def test_permission_matrix(platform, tmp_path):
    w = World(platform, tmp_path)
    mismatches = []
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        for (method, route), (path, make, expect) in MATRIX.items():
            levels = ("open",) if (method, route) in LEVEL_INDEPENDENT else LEVELS
            for role, level in itertools.product(ROLES, levels):
                client.cookies.clear()
                url = path.format(
                    ds=f"ds-{level}",
                    job=w.editor_job,
                    decision=w.decision,
                    token=_own_token(w, role, level) if "{token}" in path else "",
                    entitlement=_entitlement(w, role, level) if "{entitlement}" in path else "",
                    request=_access_request(w, role, level) if "{request}" in path else "",
                    webhook=_webhook(w, role, level) if "{webhook}" in path else "",
                    desk=_desk_request(w, role, level) if "{desk}" in path else "",
                    lp=_linkage_project(w, role, level) if "{lp}" in path else "",
                    **{
                        stage: _desk_stage(w, "offer" if stage == "offer" else stage)
                        for stage in ("open", "offer", "awarded", "delivered")
                        if "{" + stage + "}" in path
                    },
                    listing=_listing(w, role, level, published=True) if "{listing}" in path else "",
                    draft=_listing(w, role, level, published=False) if "{draft}" in path else "",
                    order=_order(w, role, level) if "{order}" in path else "",
                )
                kwargs = make(w, role, level) if make else {}
                r = client.request(method, url, headers=w.auth(role), **kwargs)
                want = expect(role, level)
                if r.status_code != want:
                    mismatches.append(
                        f"{method} {url} as {role}: {r.status_code} (want {want}) {r.text[:160]}"
                    )
    assert mismatches == []


def test_no_route_returns_personal_rows(platform, tmp_path):
    """Whoever asks, by whichever route, the rows of a personal dataset do not come back."""
    w = World(platform, tmp_path)
    marker = "종로구"  # a value of the first row
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        for (method, route), (path, _make, _) in MATRIX.items():
            if method != "GET" or "{ds}" not in path:
                continue
            for role in ROLES:
                if role == "editor" and route.endswith(("/profile", "/problems")):
                    continue  # the holder's editors see their own profile
                r = client.get(path.format(ds="ds-personal"), headers=w.auth(role))
                assert marker not in r.text, f"{path} as {role} leaked a row value"
        log = client.get("/api/v1/access-log?dataset=ds-personal", headers=w.auth("admin")).json()
    assert log and all(not e["allowed"] for e in log)


# ----- the request desk's browser pages (routes_desk_pages.py): session logins, not tokens --------
def _see_other_or(code: int) -> Callable[[str, str], int]:
    """Logged-out visitors are sent to the login page (303); the others get `code`."""
    return lambda role, level: 303 if role == "anonymous" else code


def _desk_console(role: str, level: str) -> int:
    """Members of an organisation (any role) and admins see the console; the others may not."""
    if role == "anonymous":
        return 303
    return 200 if role in ("member", "editor", "other_owner", "admin") else 403


DESK_REQUEST = "/requests/{desk}"
# (method, route path) -> (concrete path, expected status(role, level)); POSTs are sent without
# a CSRF token, so a logged-in caller is refused (403) before anything happens.
DESK_PAGES: dict[tuple[str, str], tuple[str, Callable[[str, str], int]]] = {
    ("GET", "/requests"): ("/requests", always(200)),
    ("GET", "/requests/new"): ("/requests/new", always(200)),
    ("POST", "/requests/new"): ("/requests/new", _see_other_or(403)),
    ("GET", "/requests/stats"): ("/requests/stats", always(200)),
    ("GET", "/requests/{request_id}"): (DESK_REQUEST, always(200)),
    **{
        ("POST", f"/requests/{{request_id}}/{a}"): (f"{DESK_REQUEST}/{a}", _see_other_or(403))
        for a in ("support", "unsupport", "withdraw", "dispute")
    },
    ("GET", "/console/desk"): ("/console/desk", _desk_console),
    **{
        ("POST", f"/console/desk/{{request_id}}/{a}"): (
            f"/console/desk/{{desk}}/{a}",
            _see_other_or(403),
        )
        for a in ("answer", "deliver", "extend", "route", "decide")
    },
}


def test_desk_pages_are_listed(api):
    from tests.web.test_scopes import routes as all_routes

    routes = {
        (method, path)
        for method, path, _ in all_routes(api.app)
        if path.startswith(("/requests", "/console/desk"))
    }
    assert routes == set(DESK_PAGES), "list the desk's pages in DESK_PAGES"


def test_desk_pages_permissions(platform, tmp_path):
    from datanuri.desk.service import RequestDraft

    World(platform, tmp_path)
    plain = platform.accounts.principal_for("plain@example.org")
    draft = RequestDraft(
        title="시험용 데이터 요청",
        description="권한 표를 확인하려고 만든 요청입니다.",
        purpose="권한 표를 확인하는 시험입니다.",
        organization="org-a",
    )
    rid = platform.desk.file(draft, principal=plain).request.id
    mismatches = []
    for role in ROLES:
        client = TestClient(create_app(platform), raise_server_exceptions=False)
        if role != "anonymous":
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"email": EMAIL[role], "password": PW, "csrf_token": token})
        for (method, _route), (path, expect) in DESK_PAGES.items():
            url = path.format(desk=rid)
            r = client.request(method, url, follow_redirects=False)
            if r.status_code != expect(role, "open"):
                mismatches.append(
                    f"{method} {url} as {role}: {r.status_code} (want {expect(role, 'open')})"
                )
    assert mismatches == []
