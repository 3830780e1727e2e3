"""MyData's service on both databases: offers, grants, transfers of one person's consented
columns only, refusals outside the consent, revocation (with the recipient's deletion request
and acknowledgement), expiry, the right of access, and a ledger entry for every step."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.models import Organization
from datanuri.mydata.rules import Item
from datanuri.mydata.service import TransferDetails
from datanuri.mydata.tables import MyDataIndex, MyDataPerson
from datanuri.notify.models import Delivery, WebhookEndpoint
from tests.mydata.conftest import RRN, VISITS, World, visits_csv

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


def send(platform, consent_id, **over):
    args = dict(dataset="visits", items=None, since=None, page=1, page_size=50, fmt="json")
    return platform.mydata.transfer(consent_id, **{**args, **over})


def types(platform) -> list[str]:
    return [e["entry"]["type"] for e in platform.ledger.entries(0)]


def test_transfer_sends_only_my_rows_and_only_consented_columns(platform, world: World):
    c = grant(platform, world.kim)
    page = send(platform, c.id)
    assert page.columns == ("visit_date", "department")
    assert sorted(str(r["visit_date"]) for r in page.rows) == ["2026-01-05", "2026-02-10"]
    assert all(set(r) == {"visit_date", "department"} for r in page.rows)  # no name, no RRN
    lee = grant(platform, world.lee, items=["visits.basic", "visits.diagnosis"])
    page = send(platform, lee.id)
    assert [r["diagnosis"] for r in page.rows] == ["S52.5"]
    assert types(platform)[-1] == "mydata.transfer"


def test_the_index_never_holds_the_resident_number(platform, world: World):
    with platform.db.session() as s:
        idx = s.query(MyDataIndex).one()
        persons = s.query(MyDataPerson).all()
    with platform.blobs.open_input(idx.digest) as f:
        table = pq.ParquetFile(f).read()
    assert "주민등록번호" not in table.column_names and "_ci" in table.column_names
    assert idx.rows == 4 and idx.people == 3  # the row without a number names nobody
    flat = json.dumps(table.to_pylist(), ensure_ascii=False, default=str)
    assert all(RRN[k][:6] not in flat for k in RRN)
    assert {p.ci for p in persons} == {platform.mydata.ci_of(RRN[k]) for k in RRN}


def test_pages_and_parquet(platform, world: World):
    c = grant(platform, world.kim, items=["visits.diagnosis"])
    first = send(platform, c.id, page_size=1)
    second = send(platform, c.id, page=2, page_size=1, fmt="parquet")
    assert first.total_rows == 2 and first.has_more and not second.has_more
    assert second.parquet is not None
    rows = pq.read_table(io.BytesIO(second.parquet)).to_pylist()
    assert {first.rows[0]["diagnosis"], rows[0]["diagnosis"]} == {"J06.9", "E11.9"}


def test_requests_outside_the_consent_are_refused(platform, world: World, tmp_path):
    c = grant(platform, world.kim)
    with pytest.raises(errors.PermissionDenied, match="does not cover item"):
        send(platform, c.id, items=("visits.diagnosis",))
    platform.catalog.create_dataset(
        "other", organization="hospital", access_level="personal", principal=SYSTEM
    )
    with pytest.raises(errors.PermissionDenied, match="covers dataset 'visits'"):
        send(platform, c.id, dataset="other")
    with pytest.raises(errors.InvalidInput, match="offers no item"):
        grant(platform, world.kim, items=["visits.everything"])
    with pytest.raises(errors.InvalidInput, match="1 to 365 days"):
        grant(platform, world.kim, period_days=400)
    with pytest.raises(errors.PermissionDenied, match="not linked to a person"):
        grant(platform, world.stranger)
    assert types(platform).count("mydata.transfer") == 0


def test_authorization_details_are_parsed_with_clear_errors():
    d = TransferDetails.from_authorization_details(DETAILS)
    assert d.items == ("visits.basic",) and d.frequency == "periodic"
    assert TransferDetails.from_authorization_details(d.to_authorization_details()) == d
    for bad, match in [
        ({**DETAILS, "type": "payment"}, "mydata_transfer"),
        ({**DETAILS, "items": []}, "'items'"),
        ({**DETAILS, "holder": ""}, "'holder'"),
        ({**DETAILS, "period_days": "90"}, "'period_days'"),
        ({**DETAILS, "period_days": 0}, "1 to 365"),
        ({**DETAILS, "frequency": "daily"}, "'once' or 'periodic'"),
    ]:
        with pytest.raises(errors.InvalidInput, match=match):
            TransferDetails.from_authorization_details(bad)


def test_check_details_shows_item_labels(platform, world: World):
    d = TransferDetails.from_authorization_details(
        {**DETAILS, "items": ["visits.diagnosis", "visits.basic"]}
    )
    view = platform.mydata.check_details(d, recipient_client_id="app-1")
    assert [(i.name, i.label_ko, i.label_en) for i in view.items] == [
        ("visits.diagnosis", "진단명", "Diagnosis"),
        ("visits.basic", "진료 기본 정보", "Visit basics"),
    ]
    assert view.holder_title == "서울병원"


def test_revocation_stops_the_next_transfer_and_asks_for_deletion(platform, world: World):
    c = grant(platform, world.kim)
    send(platform, c.id)
    with pytest.raises(errors.PermissionDenied):
        platform.mydata.revoke(c.id, by=world.lee)
    with pytest.raises(errors.PermissionDenied):
        platform.mydata.revoke(c.id, by_recipient="app-2")
    revoked = platform.mydata.revoke(c.id, by=world.kim)
    assert revoked.status == "revoked" and revoked.deletion_pending
    with pytest.raises(errors.ConsentNotActive, match="revoked"):
        platform.mydata.active_consent(c.id)
    with pytest.raises(errors.ConsentNotActive):
        send(platform, c.id)
    t = types(platform)
    assert t[-1] == "mydata.consent.revoked"
    board = platform.mydata.dashboard(principal=world.kim)
    assert [p.id for p in board.pending_deletions] == [c.id] and not board.active
    with pytest.raises(errors.PermissionDenied):
        platform.mydata.acknowledge_deletion(c.id, "app-2")
    acked = platform.mydata.acknowledge_deletion(c.id, "app-1")
    assert not acked.deletion_pending
    assert types(platform)[-1] == "mydata.deletion.acknowledged"
    assert not platform.mydata.dashboard(principal=world.kim).pending_deletions
    # the person was told in-app, in both languages
    notes = platform.notifications.list(principal=world.kim)
    assert any("철회" in n.text_ko and c.id in n.text_en for n in notes)


def test_the_recipient_may_revoke_and_its_org_hears_by_webhook(platform, world: World):
    platform.accounts.create_organization("apps", title="앱 회사", principal=SYSTEM)
    with platform.db.session() as s:
        org = s.query(Organization).filter_by(name="apps").one()
        s.add(
            WebhookEndpoint(
                organization_id=org.id,
                url="https://recipient.example/hooks",
                kinds=["mydata.*"],
                secret_sealed="sealed",
                created_by="system",
            )
        )
    details = TransferDetails.from_authorization_details(DETAILS)
    c = platform.mydata.grant(
        world.kim,
        recipient_client_id="app-1",
        recipient_name="건강앱",
        details=details,
        recipient_org="apps",
    )
    platform.mydata.revoke(c.id, by_recipient="app-1")
    with platform.db.session() as s:
        bodies = [d.body for d in s.query(Delivery).filter(Delivery.channel == "webhook")]
    assert len(bodies) == 1
    body = json.loads(bodies[0]) if isinstance(bodies[0], str) else bodies[0]
    assert c.id in json.dumps(body) and "delete" in json.dumps(body)


def test_expiry_is_recorded_and_stops_transfers(platform, world: World, clock):
    c = grant(platform, world.kim, period_days=30)
    clock.now += dt.timedelta(days=30)
    with pytest.raises(errors.ConsentNotActive, match="expired"):
        send(platform, c.id)
    assert types(platform)[-1] == "mydata.consent.expired"
    assert platform.mydata.expire_due() == []  # already recorded, once
    other = grant(platform, world.lee, period_days=1)
    clock.now += dt.timedelta(days=2)
    assert platform.mydata.expire_due() == [other.id]


def test_a_once_consent_ends_after_its_transfer(platform, world: World):
    c = grant(platform, world.kim, frequency="once")
    send(platform, c.id, page_size=1)  # more pages to come: still active
    send(platform, c.id, page=2, page_size=1)
    assert types(platform)[-2:] == ["mydata.transfer", "mydata.consent.expired"]
    with pytest.raises(errors.ConsentNotActive):
        send(platform, c.id)


def test_new_versions_are_indexed_and_since_is_incremental(platform, world: World, tmp_path):
    c = grant(platform, world.kim)
    first = send(platform, c.id)
    assert first.version == 1
    assert send(platform, c.id, since=1).version is None
    rows = [*VISITS, (RRN["kim"], "김민지", "2026-03-01", "피부과", "L20.9")]
    platform.catalog.publish("visits", visits_csv(tmp_path / "v2.csv", rows), principal=SYSTEM)
    page = send(platform, c.id, since=1)
    assert page.version == 2 and page.total_rows == 3
    # a withdrawn version is served to nobody: back to version 1
    platform.catalog.withdraw_version("visits", 2, reason="잘못 올린 파일", principal=SYSTEM)
    page = send(platform, c.id)
    assert page.version == 1 and page.total_rows == 2


def test_revocation_racing_a_transfer_never_leaves_a_transfer_after_it(platform, world: World):
    c = grant(platform, world.kim)
    results: list[str] = []

    def transfer() -> None:
        for _ in range(5):
            try:
                send(platform, c.id)
                results.append("sent")
            except errors.ConsentNotActive:
                results.append("refused")

    t = threading.Thread(target=transfer)
    t.start()
    platform.mydata.revoke(c.id, by=world.kim)
    t.join()
    entries = [e["entry"] for e in platform.ledger.entries(0)]
    mine = [e["type"] for e in entries if e["subject"] == f"mydata-consent:{c.id}"]
    revoked_at = mine.index("mydata.consent.revoked")
    assert "mydata.transfer" not in mine[revoked_at + 1 :]
    assert mine.count("mydata.transfer") == results.count("sent")


def test_offers_are_for_holders_and_personal_datasets(platform, world: World, tmp_path):
    items = (Item("a", ("diagnosis",), "가", "A"),)
    with pytest.raises(errors.PermissionDenied):
        platform.mydata.declare_offer(
            "visits", subject_column="주민등록번호", items=items, principal=world.kim
        )
    with pytest.raises(errors.InvalidInput, match="subject column"):
        platform.mydata.declare_offer(
            "visits",
            subject_column="주민등록번호",
            items=(Item("a", ("주민등록번호",), "가", "A"),),
            principal=world.editor,
        )
    with pytest.raises(errors.InvalidInput, match="does not have"):
        platform.mydata.declare_offer(
            "visits",
            subject_column="주민등록번호",
            items=(Item("a", ("nope",), "가", "A"),),
            principal=world.editor,
        )
    platform.catalog.create_dataset("open-visits", organization="hospital", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="not a personal dataset"):
        platform.mydata.declare_offer(
            "open-visits", subject_column="주민등록번호", items=items, principal=world.editor
        )
    [offer] = platform.mydata.offers(organization="hospital")
    assert offer.people == 3 and [i.name for i in offer.items] == [
        "visits.basic",
        "visits.diagnosis",
    ]


def test_dashboard_and_right_of_access(platform, world: World):
    c = grant(platform, world.kim)
    send(platform, c.id)
    board = platform.mydata.dashboard(principal=world.kim)
    assert [(h.holder, h.dataset, h.rows) for h in board.holders] == [("hospital", "visits", 2)]
    assert [a.id for a in board.active] == [c.id]
    assert [(t.consent_id, t.rows) for t in board.transfers] == [(c.id, 2)]
    own = platform.mydata.my_rows("visits", principal=world.kim)
    assert own.columns == ("visit_date", "department", "diagnosis") and own.total_rows == 2
    assert types(platform)[-1] == "mydata.access"
    assert not platform.mydata.dashboard(principal=world.stranger).linked
    assert [x.id for x in platform.mydata.holder_consents("hospital", principal=world.editor)] == [
        c.id
    ]
    assert len(platform.mydata.holder_transfers("hospital", principal=world.editor)) == 1
    with pytest.raises(errors.PermissionDenied):
        platform.mydata.holder_consents("hospital", principal=world.kim)


def test_ledger_keeps_no_purpose_or_number_in_clear(platform, world: World):
    c = grant(platform, world.kim)
    send(platform, c.id)
    platform.mydata.revoke(c.id, by=world.kim)
    text = json.dumps([e["entry"] for e in platform.ledger.entries(0)], ensure_ascii=False)
    assert DETAILS["purpose"] not in text
    assert all(RRN[k] not in text and RRN[k].replace("-", "") not in text for k in RRN)
    assert all(platform.mydata.ci_of(RRN[k]) not in text for k in RRN)
    found = [t for t in types(platform) if t.startswith("mydata.")]
    assert found == [
        *["mydata.person.linked"] * 3,
        "mydata.offer.declared",
        "mydata.consent.granted",
        "mydata.transfer",
        "mydata.consent.revoked",
    ]


def test_the_periodic_expiry_job_records_consents_past_their_end(platform, world: World, clock):
    """The sweep is registered as a periodic job by default; a worker's run of it records the
    consent past its end as expired without anyone asking for it."""
    from datanuri.mydata.expiry_job import ExpiryParams

    assert platform.jobs.registry.get("mydata.expire") is not None
    c = grant(platform, world.lee, period_days=1)
    clock.now += dt.timedelta(days=2)
    platform.jobs.workers = 1
    info = platform.jobs.submit("mydata.expire", ExpiryParams())
    assert platform.jobs.wait(info.id, timeout=60).status == "succeeded"
    # the sweep's first period may have run too once the worker started: one of them did it
    runs = [j for j in platform.jobs.list(actor=None) if j.kind == "mydata.expire"]
    assert sum((j.result or {}).get("expired", 0) for j in runs) == 1
    assert platform.mydata.consent(c.id, principal=SYSTEM).status == "expired"
    assert types(platform)[-1] == "mydata.consent.expired"
