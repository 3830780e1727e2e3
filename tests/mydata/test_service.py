"""MyData's service on both databases: offers, grants, transfers of one person's consented
columns only, revocation, expiry and a ledger entry for every step."""

from __future__ import annotations

from datanuri.mydata.service import TransferDetails
from tests.mydata.conftest import World

DETAILS = {
    "type": "mydata_transfer",
    "holder": "hospital",
    "dataset": "visits",
    "items": ["visits.basic"],
    "purpose": "건강관리 앱에서 내 진료 기록 보기",
    "period_days": 90,
    "frequency": "periodic",
}


def grant(platform, who, **over):
    details = TransferDetails.from_authorization_details({**DETAILS, **over})
    return platform.mydata.grant(
        who, recipient_client_id="app-1", recipient_name="건강앱", details=details
    )


def test_grant_and_transfer_only_my_rows_and_consented_columns(platform, world: World):
    c = grant(platform, world.kim)
    page = platform.mydata.transfer(
        c.id, dataset="visits", items=None, since=None, page=1, page_size=50, fmt="json"
    )
    assert page.columns == ("visit_date", "department")
    assert sorted(r["visit_date"] for r in page.rows) == ["2026-01-05", "2026-02-10"] or sorted(
        str(r["visit_date"]) for r in page.rows
    ) == ["2026-01-05", "2026-02-10"]
    assert all(set(r) == {"visit_date", "department"} for r in page.rows)
    types = [e["entry"]["type"] for e in platform.ledger.entries(0)]
    assert "mydata.consent.granted" in types and types[-1] == "mydata.transfer"
