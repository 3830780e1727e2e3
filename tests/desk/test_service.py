"""The data request desk's service on both databases: filing (routed at once when a holder is
named), "me too", routing, every answer (provide, process then deliver, refuse, transfer), the
deadline in Korean business days with one extension, the idempotent overdue sweep, disputes,
rights (who sees the purpose, who may act), a ledger entry per step, notices and statistics."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import pytest

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.principal import ANONYMOUS
from datanuri.desk import messages as M
from datanuri.desk.calendar import Holidays
from datanuri.desk.service import (
    Process,
    Provide,
    Refuse,
    RequestDraft,
    RequestFilter,
    Transfer,
)
from datanuri.desk.tables import DeskRequest
from tests.helpers import PASSWORD, air_csv

PURPOSE = "학교 주변 미세먼지 노출 연구 (연구 책임자 김민지, 010-1234-5678)"
# 2027-03-02 (Tuesday) 01:00 in Korea, still 1 March in UTC: the deadline counts from the
# Korean date. 3 March is a holiday of the test calendar.
T0 = dt.datetime(2027, 3, 1, 16, 0, tzinfo=dt.UTC)
HOLIDAYS = Holidays(
    names={dt.date(2027, 3, 3): ("시험 공휴일", "Test holiday")}, first_year=2026, last_year=2028
)
DUE = dt.date(2027, 3, 17)  # 10 business days after 2 March, 3 March not counted
EXTENDED = dt.date(2027, 3, 31)  # 10 more


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(platform):
    c = Clock()
    platform.desk.clock = c
    platform.desk.holidays = HOLIDAYS
    return c


@pytest.fixture
def who(platform, tmp_path, clock):
    acc = platform.accounts
    people = [
        ("kim", "김민지", None),
        ("lee", "이서준", None),
        ("park", "박지훈", None),
        ("ed", "편집자", None),
        ("own", "소유자", None),
        ("mem", "구성원", None),
        ("bed", "다른편집자", None),
        ("adm", "관리자", "admin"),
    ]
    for key, name, role in people:
        acc.create_user(
            f"{key}@example.org",
            display_name=name,
            password=PASSWORD,
            platform_role=role,
            principal=SYSTEM,
        )
    acc.create_organization("org-a", title="서울시", principal=SYSTEM)
    acc.create_organization("org-b", title="환경부", principal=SYSTEM)
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    acc.add_member("org-a", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("org-a", "mem@example.org", role="member", principal=SYSTEM)
    acc.add_member("org-b", "bed@example.org", role="editor", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset("air", organization="org-a", title="대기질", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    cat.create_dataset("secret", organization="org-a", access_level="personal", principal=SYSTEM)
    return {k: acc.principal_for(f"{k}@example.org") for k, _, _ in people}


def draft(**kw) -> RequestDraft:
    base = dict(
        title="학교 주변 미세먼지 측정값",
        description="초등학교 반경 500m 안의 시간별 PM10, PM2.5 측정값이 필요합니다.",
        purpose=PURPOSE,
        theme=None,
        formats=("csv", "api"),
        frequency="daily",
        region="11",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    base.update(kw)
    return RequestDraft(**base)


def entries(platform, prefix: str = "desk.") -> list[dict]:
    out = []
    for i in range(platform.ledger.size()):
        e = platform.ledger.public_receipt(i)["entry"]
        if e["type"].startswith(prefix):
            out.append(e)
    return out


def unread(platform, who, key: str) -> int:
    return platform.notifications.unread(principal=who[key])


# ----- filing and reading ---------------------------------------------------------------------
def test_file_get_find_and_privacy(platform, who):
    desk = platform.desk
    with pytest.raises(errors.NotAuthenticated):
        desk.file(draft(), principal=ANONYMOUS)
    filed = desk.file(draft(), principal=who["kim"])
    r = filed.request
    assert (r.status, r.requester, r.mine, r.supporters, r.supported_by_me) == (
        "filed",
        "김민지",
        True,
        1,
        True,
    )
    assert r.purpose == PURPOSE and r.formats == ("csv", "api") and r.region == "11"
    assert r.due_on is None and not r.overdue and r.organization is None

    # Strangers see the public fields, a masked name and no purpose.
    for p in (ANONYMOUS, who["lee"], who["ed"]):
        seen = desk.get(r.id, principal=p)
        assert seen.purpose is None and seen.requester == "김**" and not seen.mine
        assert seen.title == r.title
    assert desk.get(r.id, principal=who["adm"]).purpose == PURPOSE
    with pytest.raises(errors.NotFound):
        desk.get(r.id + 100, principal=ANONYMOUS)

    # The ledger: the purpose only as its hash.
    (entry,) = entries(platform)
    assert entry["type"] == "desk.request.filed" and entry["subject"] == f"data-request:{r.id}"
    assert entry["hashes"]["purpose"] == "sha256:" + hashlib.sha256(PURPOSE.encode()).hexdigest()
    dump = json.dumps(entries(platform), ensure_ascii=False)
    assert "010-1234-5678" not in dump and "김민지" not in dump

    other = desk.file(draft(title="버스 정류장별 승하차 인원", theme="교통"), principal=who["lee"])
    page = desk.find(RequestFilter(), principal=ANONYMOUS)
    assert page.total == 2 and [i.id for i in page.items] == [other.request.id, r.id]
    assert desk.find(RequestFilter(q="승하차"), principal=ANONYMOUS).total == 1
    assert desk.find(RequestFilter(theme="교통"), principal=ANONYMOUS).total == 1
    assert desk.find(RequestFilter(mine=True), principal=who["kim"]).items[0].id == r.id
    assert desk.find(RequestFilter(limit=1, offset=1), principal=ANONYMOUS).items[0].id == r.id
    with pytest.raises(errors.NotAuthenticated):
        desk.find(RequestFilter(mine=True), principal=ANONYMOUS)
    with pytest.raises(errors.InvalidInput):
        desk.find(RequestFilter(status=("nonsense",)), principal=ANONYMOUS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "짧"}, M.MSG_TITLE_SHORT),
        ({"description": "짧음"}, M.MSG_DESCRIPTION_SHORT),
        ({"purpose": "연구"}, M.MSG_PURPOSE_SHORT),
        ({"formats": ("csv", "docx")}, M.MSG_FORMAT),
        ({"frequency": "hourly"}, M.MSG_FREQUENCY),
        ({"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2025, 1, 1)}, M.MSG_PERIOD),
        ({"theme": "NOPE"}, None),
        ({"region": "99"}, None),
    ],
)
def test_filing_checks_the_draft(platform, who, change, message):
    with pytest.raises(errors.InvalidInput) as exc:
        platform.desk.file(draft(**change), principal=who["kim"])
    if message is not None:
        assert exc.value.message.startswith(message.split("{")[0])
    with platform.db.session() as s:
        assert s.query(DeskRequest).count() == 0


def test_support_counts_demand_once(platform, who):
    desk = platform.desk
    rid = desk.file(draft(), principal=who["kim"]).request.id
    with pytest.raises(errors.Conflict):
        desk.support(rid, principal=who["kim"])  # the requester is counted already
    with pytest.raises(errors.NotAuthenticated):
        desk.support(rid, principal=ANONYMOUS)
    info = desk.support(rid, principal=who["lee"])
    assert (info.supporters, info.supported_by_me) == (2, True)
    with pytest.raises(errors.Conflict):
        desk.support(rid, principal=who["lee"])
    assert desk.support(rid, principal=who["park"]).supporters == 3
    assert desk.find(RequestFilter(mine=True), principal=who["lee"]).total == 1
    info = desk.unsupport(rid, principal=who["park"])
    assert (info.supporters, info.supported_by_me) == (2, False)
    with pytest.raises(errors.Conflict):
        desk.unsupport(rid, principal=who["park"])
    kinds = [(e["type"], e["data"].get("joined")) for e in entries(platform)]
    assert kinds == [
        ("desk.request.filed", None),
        ("desk.request.supported", True),
        ("desk.request.supported", True),
        ("desk.request.supported", False),
    ]
    assert [h.action for h in desk.history(rid, principal=ANONYMOUS)] == [
        "filed",
        "supported",
        "supported",
        "unsupported",
    ]


def test_suggestions_receive_open_requests_and_past_answers(platform, who):
    seen = {}

    def suggest(text, *, principal, open_requests=(), past_answers=None, limit=5):
        seen.update(text=text, open=list(open_requests), past=dict(past_answers or {}))
        from datanuri.desk.suggest import Suggestions

        return Suggestions()

    desk = platform.desk
    first = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    desk.answer(first, Provide("air"), principal=who["ed"])
    second = desk.file(draft(title="버스 승하차 인원 자료"), principal=who["lee"]).request.id
    platform.desk.suggester.suggest = suggest  # a recording stand-in for the suggestion engine
    desk.preview(draft(title="미세먼지 측정 자료"), principal=ANONYMOUS)
    assert seen["text"].title == "미세먼지 측정 자료" and seen["text"].region == "11"
    assert [o.id for o in seen["open"]] == [second]  # the provided one is closed
    assert list(seen["past"]) == ["org-a"] and "미세먼지" in seen["past"]["org-a"][0]
    filed = desk.file(draft(title="미세먼지 측정 자료"), principal=who["park"])
    assert [o.id for o in seen["open"]] == [second]  # computed before filing
    assert filed.suggestions.duplicates == ()


# ----- routing, answers, the clock ------------------------------------------------------------
def test_route_provide_with_deadline_and_notices(platform, who, clock):
    desk = platform.desk
    rid = desk.file(draft(), principal=who["kim"]).request.id
    desk.support(rid, principal=who["lee"])
    for p, exc in ((who["ed"], errors.PermissionDenied), (ANONYMOUS, errors.NotAuthenticated)):
        with pytest.raises(exc):
            desk.route(rid, "org-a", principal=p)
    with pytest.raises(errors.NotFound):
        desk.route(rid, "no-such-org", principal=who["adm"])
    info = desk.route(rid, "org-a", principal=who["adm"])
    assert (info.status, info.organization, info.organization_title) == (
        "routed",
        "org-a",
        "서울시",
    )
    assert info.due_on == DUE and info.routed_at == T0
    with pytest.raises(errors.Conflict):
        desk.route(rid, "org-b", principal=who["adm"])  # already with a holder

    # Holder members see the purpose; another organisation's editor does not.
    assert desk.get(rid, principal=who["mem"]).purpose == PURPOSE
    assert desk.get(rid, principal=who["bed"]).purpose is None
    incoming = desk.find(RequestFilter(organization="org-a"), principal=who["ed"])
    assert incoming.total == 1 and incoming.items[0].requester == "김민지"
    assert desk.incoming("org-a", principal=who["mem"]).items[0].purpose == PURPOSE
    assert desk.incoming("org-a", principal=who["adm"], status=("routed",)).total == 1
    assert desk.incoming("org-a", principal=who["ed"], status=("filed",)).total == 0
    with pytest.raises(errors.PermissionDenied):
        desk.incoming("org-a", principal=who["bed"])
    with pytest.raises(errors.NotAuthenticated):
        desk.incoming("org-a", principal=ANONYMOUS)

    # The requester, supporters, and the holder's editors and owners are told (not members).
    for key, n in [("kim", 1), ("lee", 1), ("ed", 1), ("own", 1), ("mem", 0), ("bed", 0)]:
        assert unread(platform, who, key) == n, key
    note = platform.notifications.list(principal=who["kim"])[0]
    assert (
        note.link == f"/requests/{rid}"
        and "서울시" in note.text_ko
        and "2027-03-17" in note.text_en
    )
    assert platform.notifications.list(principal=who["ed"])[0].link == "/console/desk"

    # Only the holder's editors and owners answer.
    for p in (who["bed"], who["mem"], who["kim"], who["adm"]):
        with pytest.raises(errors.PermissionDenied):
            desk.answer(rid, Provide("air"), principal=p)
    with pytest.raises(errors.InvalidInput):
        desk.answer(rid, Provide("secret"), principal=who["ed"])  # hidden from the public
    with pytest.raises(errors.NotFound):
        desk.answer(rid, Provide("air", version=9), principal=who["ed"])
    clock.now = T0 + dt.timedelta(days=3)
    done = desk.answer(
        rid, Provide("air", note="1번 버전이 요청 범위를 담고 있습니다."), principal=who["own"]
    )
    assert done.status == "provided" and done.answer is not None
    assert (done.answer.kind, done.answer.dataset, done.answer.version) == ("provide", "air", 1)
    assert done.answer.answered_by == "소유자" and not done.overdue
    assert desk.get(rid, principal=ANONYMOUS).answer.answered_by == "서울시"  # type: ignore[union-attr]
    assert unread(platform, who, "lee") == 2
    with pytest.raises(errors.Conflict):
        desk.answer(rid, Refuse("not_held", "없음"), principal=who["ed"])
    with pytest.raises(errors.Conflict):
        desk.support(rid, principal=who["park"])  # closed

    types = [e["type"] for e in entries(platform)]
    assert types == [
        "desk.request.filed",
        "desk.request.supported",
        "desk.request.routed",
        "desk.request.answered",
    ]
    answered = entries(platform)[-1]
    assert answered["data"] == {
        "request": rid,
        "organization": "org-a",
        "kind": "provide",
        "dataset": "air",
        "version": 1,
    }
    assert "note" in answered["hashes"]
    history = desk.history(rid, principal=ANONYMOUS)
    assert [h.action for h in history] == ["filed", "supported", "routed", "answered"]
    assert all(h.ledger_index is not None for h in history)
    assert history[0].actor == "김**" and history[2].actor == "관**"
    assert desk.history(rid, principal=who["kim"])[0].actor == "김민지"


def test_filing_with_a_holder_routes_at_once(platform, who):
    info = platform.desk.file(draft(organization="org-b"), principal=who["kim"]).request
    assert (info.status, info.organization, info.due_on) == ("routed", "org-b", DUE)
    assert unread(platform, who, "bed") == 1
    with pytest.raises(errors.NotFound):
        platform.desk.file(draft(organization="nowhere"), principal=who["kim"])


def test_process_then_deliver(platform, who):
    desk = platform.desk
    rid = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    with pytest.raises(errors.InvalidInput):
        desk.answer(rid, Process("shuffle"), principal=who["ed"])  # type: ignore[arg-type]
    with pytest.raises(errors.Conflict):
        desk.deliver(rid, "air", None, principal=who["ed"])  # not answered "process"
    info = desk.answer(
        rid, Process("deidentify", "가명처리 후 제공", dt.date(2027, 4, 30)), principal=who["ed"]
    )
    assert info.status == "processing" and info.answer is not None
    assert (info.answer.method, info.answer.expected_on) == ("deidentify", dt.date(2027, 4, 30))
    assert not info.overdue
    note = platform.notifications.list(principal=who["kim"])[0]
    assert "비식별 처리 후 제공" in note.text_ko and "De-identified release" in note.text_en
    with pytest.raises(errors.PermissionDenied):
        desk.deliver(rid, "air", None, principal=who["bed"])
    done = desk.deliver(rid, "air", 1, principal=who["ed"])
    assert done.status == "provided" and done.answer.dataset == "air"  # type: ignore[union-attr]
    assert done.answer.method == "deidentify"  # type: ignore[union-attr]
    kinds = [e["data"].get("kind") for e in entries(platform, "desk.request.answered")]
    assert kinds == ["process", "deliver"]


def test_refuse_with_a_legal_reason_and_dispute(platform, who, clock):
    desk = platform.desk
    rid = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    with pytest.raises(errors.InvalidInput):
        desk.answer(rid, Refuse("dont_want", "싫습니다"), principal=who["ed"])
    with pytest.raises(errors.InvalidInput):
        desk.answer(rid, Refuse("not_held", " "), principal=who["ed"])  # a note is required
    with pytest.raises(errors.Conflict):
        desk.open_dispute(rid, "아직 답변이 없지만 기한 전입니다.", principal=who["kim"])
    info = desk.answer(
        rid, Refuse("third_party_rights", "측정망 일부가 민간 소유입니다."), principal=who["ed"]
    )
    assert info.status == "refused" and info.answer.reason == "third_party_rights"  # type: ignore[union-attr]
    note = platform.notifications.list(principal=who["kim"])[0]
    assert "제3자의 권리(저작권 등) 침해" in note.text_ko

    reasons = "민간 측정소는 일부이며 공공 측정소 자료만이라도 제공받을 수 있습니다."
    with pytest.raises(errors.PermissionDenied):
        desk.open_dispute(rid, reasons, principal=who["lee"])
    with pytest.raises(errors.InvalidInput):
        desk.open_dispute(rid, "싫음", principal=who["kim"])
    admins_before = unread(platform, who, "adm")
    info = desk.open_dispute(rid, reasons, principal=who["kim"])
    assert info.dispute is not None and info.dispute.status == "open"
    assert info.dispute.reasons == reasons
    assert desk.get(rid, principal=ANONYMOUS).dispute.reasons == ""  # type: ignore[union-attr]
    assert unread(platform, who, "adm") == admins_before + 1 and unread(platform, who, "ed") == 2
    with pytest.raises(errors.Conflict):
        desk.open_dispute(rid, reasons, principal=who["kim"])
    with pytest.raises(errors.PermissionDenied):
        desk.decide_dispute(rid, "upheld", "", principal=who["ed"])
    with pytest.raises(errors.InvalidInput):
        desk.decide_dispute(rid, "maybe", "", principal=who["adm"])  # type: ignore[arg-type]

    clock.now = T0 + dt.timedelta(days=20)
    info = desk.decide_dispute(
        rid, "upheld", "공공 측정소 자료는 제공 대상입니다.", principal=who["adm"]
    )
    assert info.status == "routed" and info.organization == "org-a" and info.answer is None
    assert info.dispute.status == "upheld" and info.dispute.decided_by == "관리자"  # type: ignore[union-attr]
    assert info.due_on == dt.date(2027, 4, 5)  # a new clock from 22 March (KST)
    with pytest.raises(errors.Conflict):
        desk.decide_dispute(rid, "dismissed", "", principal=who["adm"])
    assert [e["type"] for e in entries(platform)][-3:] == [
        "desk.dispute.opened",
        "desk.dispute.decided",
        "desk.request.routed",
    ]
    dump = json.dumps(entries(platform), ensure_ascii=False)
    assert "민간 측정소" not in dump and "공공 측정소 자료는" not in dump
    again = desk.answer(rid, Provide("air"), principal=who["ed"])
    assert again.status == "provided"


def test_transfer_restarts_the_clock_at_the_new_holder(platform, who, clock):
    desk = platform.desk
    rid = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    with pytest.raises(errors.Conflict):
        desk.answer(rid, Transfer("org-a"), principal=who["ed"])
    with pytest.raises(errors.NotFound):
        desk.answer(rid, Transfer("nowhere"), principal=who["ed"])
    clock.now = T0 + dt.timedelta(days=7)  # 9 March in Korea
    info = desk.answer(rid, Transfer("org-b", "환경부 소관입니다."), principal=who["ed"])
    assert (info.status, info.organization, info.due_on) == (
        "routed",
        "org-b",
        dt.date(2027, 3, 23),
    )
    assert info.answer is None
    # org-a no longer answers or sees the purpose; org-b does.
    with pytest.raises(errors.PermissionDenied):
        desk.answer(rid, Provide("air"), principal=who["ed"])
    assert desk.get(rid, principal=who["ed"]).purpose is None
    assert desk.get(rid, principal=who["bed"]).purpose == PURPOSE
    assert "환경부" in platform.notifications.list(principal=who["kim"])[0].text_ko
    (moved,) = [e for e in entries(platform, "desk.request.routed") if e["data"]["previous"]]
    assert moved["data"]["organization"] == "org-b" and moved["data"]["previous"] == "org-a"
    assert desk.history(rid, principal=who["kim"])[-1].action == "transferred"


def test_extend_once(platform, who):
    desk = platform.desk
    rid = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    with pytest.raises(errors.PermissionDenied):
        desk.extend(rid, "자료 취합 중", principal=who["bed"])
    with pytest.raises(errors.InvalidInput):
        desk.extend(rid, "", principal=who["ed"])
    info = desk.extend(rid, "여러 부서의 자료를 취합하고 있습니다.", principal=who["ed"])
    assert (info.due_on, info.extended) == (EXTENDED, True)
    with pytest.raises(errors.Conflict):
        desk.extend(rid, "한 번 더", principal=who["ed"])
    (entry,) = entries(platform, "desk.request.extended")
    assert entry["data"]["due_on"] == "2027-03-31" and "reason" in entry["hashes"]
    assert "2027-03-31" in platform.notifications.list(principal=who["kim"])[0].text_en


def test_withdraw(platform, who):
    desk = platform.desk
    rid = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    desk.support(rid, principal=who["lee"])
    with pytest.raises(errors.PermissionDenied):
        desk.withdraw(rid, principal=who["lee"])
    info = desk.withdraw(rid, principal=who["kim"])
    assert info.status == "withdrawn"
    with pytest.raises(errors.Conflict):
        desk.withdraw(rid, principal=who["kim"])
    with pytest.raises(errors.Conflict):
        desk.answer(rid, Provide("air"), principal=who["ed"])
    assert entries(platform)[-1]["data"] == {"request": rid}
    assert entries(platform)[-1]["type"] == "desk.request.withdrawn"


def test_overdue_sweep_escalates_once(platform, who, clock):
    desk = platform.desk
    late = desk.file(draft(organization="org-a"), principal=who["kim"]).request.id
    answered = desk.file(draft(organization="org-a"), principal=who["lee"]).request.id
    waiting = desk.file(draft(), principal=who["park"]).request.id  # never routed
    desk.answer(answered, Process("aggregate"), principal=who["ed"])
    # On the due date it is not late yet; the day after (in Korea) it is.
    assert desk.sweep_overdue(now=dt.datetime(2027, 3, 17, 14, 0, tzinfo=dt.UTC)) == []
    clock.now = dt.datetime(2027, 3, 17, 15, 30, tzinfo=dt.UTC)  # 18 March 00:30 KST
    assert desk.get(late, principal=ANONYMOUS).overdue
    assert not desk.get(answered, principal=ANONYMOUS).overdue
    assert not desk.get(waiting, principal=ANONYMOUS).overdue
    assert desk.find(RequestFilter(overdue=True), principal=ANONYMOUS).total == 1
    assert desk.find(RequestFilter(overdue=False), principal=ANONYMOUS).total == 2
    before = {k: unread(platform, who, k) for k in ("own", "ed", "adm")}
    assert desk.sweep_overdue() == [late]
    assert desk.sweep_overdue() == []  # idempotent
    info = desk.get(late, principal=ANONYMOUS)
    assert info.escalated and info.overdue
    after = {k: unread(platform, who, k) for k in ("own", "ed", "adm")}
    assert after == {"own": before["own"] + 1, "ed": before["ed"], "adm": before["adm"] + 1}
    (entry,) = entries(platform, "desk.request.escalated")
    assert entry["actor"] == "system" and entry["data"]["due_on"] == "2027-03-17"
    # An overdue request may be disputed by its requester.
    assert desk.open_dispute(late, "기한이 지났는데 답변이 없습니다.", principal=who["kim"]).dispute


def test_concurrent_sweeps_escalate_each_request_once(platform, who, clock):
    desk = platform.desk
    ids = [
        desk.file(draft(organization="org-a"), principal=who["kim"]).request.id for _ in range(4)
    ]
    late = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    found: list[list[int]] = []
    failures: list[BaseException] = []

    def sweep() -> None:
        try:
            found.append(desk.sweep_overdue(now=late))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(i for f in found for i in f) == ids
    assert len(entries(platform, "desk.request.escalated")) == 4
    assert unread(platform, who, "own") == 4 + 4  # four routings and four escalations


def test_stats(platform, who, clock):
    desk = platform.desk
    a = desk.file(draft(organization="org-a", theme="환경"), principal=who["kim"]).request.id
    b = desk.file(draft(organization="org-a", theme="환경"), principal=who["lee"]).request.id
    c = desk.file(draft(organization="org-b", theme="교통"), principal=who["park"]).request.id
    d = desk.file(draft(theme="교통"), principal=who["kim"]).request.id
    for p in ("lee", "park"):
        desk.support(d, principal=who[p])
    desk.support(c, principal=who["kim"])
    clock.now = T0 + dt.timedelta(days=2)  # 4 March: 1 business day (3 March is a holiday)
    desk.answer(a, Provide("air"), principal=who["ed"])
    clock.now = T0 + dt.timedelta(days=21)  # 23 March: 14 business days, after the deadline
    desk.answer(b, Refuse("not_held", "보유하지 않습니다."), principal=who["ed"])
    e = desk.file(draft(organization="org-b"), principal=who["lee"]).request.id
    desk.withdraw(e, principal=who["lee"])  # not counted against the holder's answer rate
    st = desk.stats()
    assert (st.total, st.open, st.overdue) == (5, 2, 1)  # c is past due, d is not routed
    assert st.answer_rate == pytest.approx(2 / 3) and st.on_time_rate == pytest.approx(0.5)
    assert st.median_answer_days == pytest.approx(7.5)
    themes = {x.key: x for x in st.by_theme}
    assert (themes["환경"].requests, themes["환경"].answered, themes["환경"].provided) == (2, 2, 1)
    assert themes["환경"].median_days == pytest.approx(7.5) and themes["교통"].answered == 0
    orgs = {x.key: x for x in st.by_organization}
    assert orgs["org-a"].requests == 2 and orgs["org-a"].label == "서울시"
    assert orgs["org-b"].requests == 2 and orgs["org-b"].median_days is None
    assert [r.id for r in st.most_wanted] == [d, c]
    assert all(r.purpose is None and "*" in r.requester for r in st.most_wanted)
