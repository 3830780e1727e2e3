"""Access requests ("이용 신청") on both databases: ask with a purpose, the holder approves (an
entitlement with an expiry) or refuses (with a reason), withdraw; the ledger records each step
with the purpose only as a hash, and both sides are notified."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts import request_messages as M
from datanuri.accounts import request_rules as rules
from datanuri.accounts.request_tables import AccessRequest
from tests.helpers import PASSWORD, air_csv

PURPOSE = "서울 대기질과 호흡기 질환 입원의 관계를 연구합니다 (연구 책임자 김민지, 010-1234-5678)."


@pytest.fixture
def world(platform, tmp_path):
    acc = platform.accounts
    for email, name in [
        ("own@example.org", "소유자"),
        ("ed@example.org", "편집자"),
        ("kim@example.org", "김민지"),
        ("lee@example.org", "이서준"),
        ("mem@example.org", "구성원"),
    ]:
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_organization("org-a", principal=SYSTEM)
    acc.create_organization("org-b", principal=SYSTEM)
    acc.add_member("org-a", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    acc.add_member("org-a", "mem@example.org", role="member", principal=SYSTEM)
    acc.add_member("org-b", "lee@example.org", role="owner", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset("air", organization="org-a", access_level="restricted", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    cat.create_dataset("open-air", organization="org-a", principal=SYSTEM)
    return {
        e.split("@")[0]: acc.principal_for(e)
        for e in [
            "own@example.org",
            "ed@example.org",
            "kim@example.org",
            "lee@example.org",
            "mem@example.org",
        ]
    }


def _entries(platform, kind: str) -> list[dict]:
    out = []
    for i in range(platform.ledger.size()):
        e = platform.ledger.public_receipt(i)["entry"]
        if e["type"] == kind:
            out.append(e)
    return out


def test_request_approve_read_and_expire(platform, world):
    reqs, kim = platform.access_requests, world["kim"]
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.preview("air", principal=kim)
    made = reqs.request("air", purpose=PURPOSE, days=90, principal=kim)
    assert (made.status, made.days, made.requester) == ("pending", 90, "김민지")

    # The ledger holds the purpose's hash, never its text.
    (asked,) = _entries(platform, "access.requested")
    assert asked["hashes"] == {"purpose": "sha256:" + hashlib.sha256(PURPOSE.encode()).hexdigest()}
    assert asked["data"] == {"request": made.id, "user": f"user:{kim.user_id}", "days": 90}
    assert "010-1234-5678" not in json.dumps(
        [platform.ledger.public_receipt(i) for i in range(platform.ledger.size())],
        ensure_ascii=False,
    )
    # The holders (owner and editor, not the plain member) are told.
    for who, n in [("own", 1), ("ed", 1), ("mem", 0), ("lee", 0)]:
        assert platform.notifications.unread(principal=world[who]) == n, who
    note = platform.notifications.list(principal=world["ed"])[0]
    assert "김민지" in note.text_ko and "air" in note.text_ko and note.link == "/console/requests"

    pending = reqs.for_holder(principal=world["ed"])
    assert [r.id for r in pending] == [made.id] and pending[0].purpose == PURPOSE
    assert reqs.for_holder(principal=world["lee"]) == []  # another organisation's owner

    size = platform.ledger.size()
    done = reqs.approve(made.id, principal=world["ed"])
    assert done.status == "approved" and done.decided_by == "편집자"
    assert done.expires_at is not None
    left = done.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=89) < left <= dt.timedelta(days=90)
    kinds = [
        platform.ledger.public_receipt(i)["entry"]["type"]
        for i in range(size, platform.ledger.size())
    ]
    assert kinds == ["entitlement.granted", "access.request.approved"]  # granted once, not twice

    assert platform.catalog.preview("air", principal=kim).num_rows > 0
    assert platform.notifications.unread(principal=kim) == 1
    note = platform.notifications.list(principal=kim)[0]
    assert note.link == "/datasets/air" and "승인" in note.text_ko and "년" in note.text_ko
    assert platform.notifications.mark_read(principal=kim) == 1
    assert platform.notifications.unread(principal=kim) == 0

    # After the expiry, no more rows: the status says so.
    with platform.db.session() as s:
        s.execute(
            sa.text("UPDATE entitlements SET expires_at = :t"), {"t": dt.datetime(2020, 1, 1)}
        )
        s.execute(
            sa.text("UPDATE access_requests SET expires_at = :t"), {"t": dt.datetime(2020, 1, 1)}
        )
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.preview("air", principal=kim)
    assert [r.status for r in reqs.mine(principal=kim)] == ["expired"]
    # ... and a new request can be made.
    assert reqs.request("air", purpose=PURPOSE, principal=kim).status == "pending"


def test_refuse_needs_a_reason_and_tells_the_requester(platform, world):
    reqs, kim = platform.access_requests, world["kim"]
    made = reqs.request("air", purpose=PURPOSE, principal=kim)
    with pytest.raises(errors.InvalidInput, match="reason"):
        reqs.refuse(made.id, reason="  ", principal=world["own"])
    done = reqs.refuse(
        made.id, reason="연구 계획서를 첨부해 다시 신청하세요.", principal=world["own"]
    )
    assert done.status == "refused" and done.reason.startswith("연구 계획서")
    (entry,) = _entries(platform, "access.request.refused")
    assert entry["hashes"]["reason"].startswith("sha256:") and "계획서" not in json.dumps(
        entry, ensure_ascii=False
    )
    note = platform.notifications.list(principal=kim)[0]
    assert "거절" in note.text_ko and "계획서" in note.text_ko
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.preview("air", principal=kim)
    with pytest.raises(errors.Conflict, match="already decided"):
        reqs.approve(made.id, principal=world["own"])


def test_no_duplicate_pending_and_withdraw(platform, world):
    reqs, kim = platform.access_requests, world["kim"]
    made = reqs.request("air", purpose=PURPOSE, principal=kim)
    with pytest.raises(errors.Conflict) as dup:
        reqs.request("air", purpose=PURPOSE + " 다시", principal=kim)
    assert dup.value.message == M.MSG_DUPLICATE[1]
    standing = reqs.standing("air", principal=kim)
    assert standing.state == "pending" and standing.request.id == made.id
    with pytest.raises(errors.PermissionDenied):  # a holder cannot withdraw it for the requester
        reqs.withdraw(made.id, principal=world["own"])
    with pytest.raises(errors.NotFound):  # an outsider learns nothing about it
        reqs.withdraw(made.id, principal=world["lee"])
    assert reqs.withdraw(made.id, principal=kim).status == "withdrawn"
    assert reqs.standing("air", principal=kim).state == "can_request"
    assert len(_entries(platform, "access.request.withdrawn")) == 1
    with pytest.raises(errors.Conflict):
        reqs.approve(made.id, principal=world["own"])
    with platform.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(AccessRequest.id))) == 1


def test_who_may_ask_and_decide(platform, world):
    reqs = platform.access_requests
    from datanuri.accounts import ANONYMOUS

    with pytest.raises(errors.NotAuthenticated):
        reqs.request("air", purpose=PURPOSE, principal=ANONYMOUS)
    with pytest.raises(errors.Conflict, match="already read"):  # members read it already
        reqs.request("air", purpose=PURPOSE, principal=world["mem"])
    with pytest.raises(errors.Conflict, match="restricted"):
        reqs.request("open-air", purpose=PURPOSE, principal=world["kim"])
    with pytest.raises(errors.InvalidInput, match="at least"):
        reqs.request("air", purpose="연구", principal=world["kim"])
    with pytest.raises(errors.InvalidInput, match="at most"):
        reqs.request("air", purpose="가" * (rules.PURPOSE_MAX + 1), principal=world["kim"])
    with pytest.raises(errors.InvalidInput, match="period"):
        reqs.request("air", purpose=PURPOSE, days=0, principal=world["kim"])
    read_only = dataclasses.replace(world["kim"], scopes=frozenset({"read"}))
    with pytest.raises(errors.PermissionDenied, match="'publish' scope"):
        reqs.request("air", purpose=PURPOSE, principal=read_only)

    made = reqs.request("air", purpose=PURPOSE, principal=world["kim"])
    with pytest.raises(errors.NotFound):  # not the holder: 404, not a hint
        reqs.approve(made.id, principal=world["lee"])
    with pytest.raises(errors.NotFound):
        reqs.approve(made.id, principal=world["mem"])
    with pytest.raises(errors.PermissionDenied, match="editors and owners"):
        reqs.for_holder(principal=world["kim"])
    with pytest.raises(errors.InvalidInput, match="Choose an expiry"):
        reqs.approve(made.id, expires_on=dt.date(2020, 1, 1), principal=world["own"])
    on = dt.datetime.now(rules.KST).date() + dt.timedelta(days=10)
    done = reqs.approve(made.id, expires_on=on, reason="승인합니다", principal=world["own"])
    assert done.expires_at == dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time(), tzinfo=rules.KST
    )
    assert rules.korean_date(done.expires_at) == f"{on.year}년 {on.month}월 {on.day}일"
    with pytest.raises(errors.Conflict, match="already read"):
        reqs.request("air", purpose=PURPOSE, principal=world["kim"])
    standing = reqs.standing("air", principal=world["kim"])
    assert standing.state == "allowed" and standing.expires_at == done.expires_at
    assert reqs.standing("air", principal=world["mem"]).state == "allowed"
    assert reqs.standing("air", principal=ANONYMOUS).state == "login"
    assert reqs.standing("open-air", principal=world["kim"]).state == "open"


def test_a_personal_dataset_takes_no_request(platform, world):
    platform.catalog.create_dataset(
        "visits", organization="org-a", access_level="personal", principal=SYSTEM
    )
    with pytest.raises(errors.PermissionDenied, match="de-identified"):
        platform.access_requests.request("visits", purpose=PURPOSE, principal=world["kim"])


def test_a_failed_ledger_write_leaves_no_request_and_no_notice(platform, world, monkeypatch):
    def broken(session, event):
        raise errors.LedgerError("ledger down")

    monkeypatch.setattr(platform.access_requests.events, "record", broken)
    with pytest.raises(errors.LedgerError):
        platform.access_requests.request("air", purpose=PURPOSE, principal=world["kim"])
    with platform.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(AccessRequest.id))) == 0
    assert platform.notifications.unread(principal=world["own"]) == 0


def test_rules_are_pure():
    now = dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)  # 2027-01-01 01:00 in Korea
    assert rules.expiry(None, days=30, now=now) == now + dt.timedelta(days=30)
    with pytest.raises(errors.InvalidInput):
        rules.expiry(dt.date(2027, 1, 1), days=30, now=now)  # today in Korea
    ends = rules.expiry(dt.date(2027, 1, 2), days=30, now=now)
    assert ends == dt.datetime(2027, 1, 2, 15, 0, tzinfo=dt.UTC)
    assert rules.korean_date(ends) == "2027년 1월 2일" and rules.english_date(ends) == "2027-01-02"
    assert (
        rules.status_now("approved", dt.datetime(2020, 1, 1, tzinfo=dt.UTC), False, now)
        == "expired"
    )
    assert rules.status_now("approved", None, True, now) == "revoked"
    assert rules.status_now("refused", None, False, now) == "refused"
    assert (
        rules.clean_purpose("  연구 목적입니다\x00 열 글자 넘게  ")
        == "연구 목적입니다 열 글자 넘게"
    )
    assert M.in_language(
        M.MSG_PURPOSE_SHORT[1].format(**rules.LIMITS), "ko", **rules.LIMITS
    ).startswith("이용 목적을 10자")


def test_two_requests_at_once_leave_one_pending(platform, world):
    """Sent in parallel (a double click), one request is made and the other is refused."""
    import threading

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def ask() -> None:
        barrier.wait()
        try:
            platform.access_requests.request("air", purpose=PURPOSE, principal=world["kim"])
            outcomes.append("made")
        except errors.Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["made", "refused", "refused", "refused"]
    with platform.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(AccessRequest.id))) == 1
    assert len(_entries(platform, "access.requested")) == 1
