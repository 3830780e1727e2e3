"""The decision service on both databases: recording (exact reasons, idempotency, ledger
entries without personal data), the person's access, contests, reviewers, deadlines,
escalation, overturns and receipts that verify offline."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pytest
from sqlalchemy import select

from datanuri import errors
from datanuri.accounts.principal import ANONYMOUS, SYSTEM
from datanuri.decisions import messages as M
from datanuri.decisions.tables import AiDecision
from datanuri.ledger.verify import verify_receipt

EXPLAIN = "제 소득 자료가 작년 것이라 틀렸습니다. 올해 원천징수영수증을 첨부합니다."
REASONS = "올해 소득 증빙으로 다시 계산하면 소득이 기준 이상이므로 거절 사유가 없습니다."


def _entry(p: Any, index: int) -> dict[str, Any]:
    return p.ledger.entry(index)["entry"]


def test_record_computes_exact_reasons_and_ledgers_hashes_only(world: Any) -> None:
    p = world.p
    rec = p.decisions.record(world.draft(groups={"sex": "F"}), principal=world.owner)
    d = rec.decision
    assert rec.reference.startswith("DN-") and len(rec.reference) == 19
    want = {"income": 0.8 * (2 - 3), "late": -1.2 * (3 - 1), "debt": -0.5 * (0.6 - 0.4)}
    assert d.contributions == pytest.approx(want)
    logit = 0.3 + 0.8 * 2 - 1.2 * 3 - 0.5 * 0.6
    assert d.score == pytest.approx(logit) and d.method == "linear-exact"
    assert [r.code for r in d.reasons] == ["R02", "R01", "R03"]  # largest |contribution| first
    entry = _entry(p, d.ledger_index)
    assert entry["type"] == "ai.decision.recorded"
    text = json.dumps(entry, ensure_ascii=False)
    assert "deny" not in text and "income" not in text and "sex" not in text
    # a replay of the same key returns the same decision and code; other inputs conflict
    key = f"k-{world.n}"
    again = p.decisions.record(world.draft(idempotency_key=key), principal=world.owner)
    assert (again.reference, again.access_code, again.replayed) == (
        rec.reference,
        rec.access_code,
        True,
    )
    with pytest.raises(errors.Conflict):
        p.decisions.record(
            world.draft(idempotency_key=key, inputs={"income": 9, "late": 0, "debt": 0}),
            principal=world.owner,
        )


def test_only_the_owner_records_and_wrong_score_is_refused(world: Any) -> None:
    p = world.p
    with pytest.raises(errors.PermissionDenied):
        p.decisions.record(world.draft(), principal=world.reviewer)
    with pytest.raises(errors.InvalidInput, match="do not add up"):
        p.decisions.record(world.draft(score=5.0), principal=world.owner)
    with pytest.raises(errors.InvalidInput, match="dataset 'nope' has no version 1"):
        from datanuri.decisions.systems import ModelCard

        p.decisions.register_system(
            "other-sys",
            organization="bank",
            title="t",
            purpose="p",
            risk_level="high",
            card=ModelCard("use", "limits", training_data=("nope@1",)),
            reason_codes={},
            principal=world.owner,
        )


def test_system_registration_cites_training_data_ledger_entry(world: Any) -> None:
    info = world.p.decisions.system("loan-screening")
    (ref,) = info.training_data
    entry = _entry(world.p, ref.ledger_index)
    assert entry["type"] == "dataset.version.published" and entry["subject"] == "dataset:loans@1"
    reg = _entry(world.p, info.ledger_index)
    assert reg["type"] == "ai.system.registered"
    assert reg["data"]["training_entries"] == [ref.ledger_index]


def test_person_sees_only_own_decision_wrong_code_is_not_found(world: Any) -> None:
    p = world.p
    rec = p.decisions.record(
        world.draft(subject_user_id=world.person.user_id), principal=world.owner
    )
    other = p.decisions.record(world.draft(), principal=world.owner)
    seen = p.decisions.view(rec.reference, code=rec.access_code, principal=ANONYMOUS, lang="ko")
    assert seen.inputs == {"income": 2.0, "late": 3.0, "debt": 0.6}
    assert seen.reasons[0].text == "연체 횟수가 많습니다."
    assert p.decisions.view(rec.reference, principal=world.person).reference == rec.reference
    for ref, code, who in (
        (rec.reference, other.access_code, ANONYMOUS),  # another decision's code
        (rec.reference, "AAAAAAAAAAAAAAAA", ANONYMOUS),
        (rec.reference, None, world.other),
        (other.reference, None, world.person),  # not named as its subject
        ("DN-AAAAAAAAAAAAAAAA", rec.access_code, ANONYMOUS),
        (rec.reference, None, world.reviewer),
    ):
        with pytest.raises(errors.NotFound):
            p.decisions.view(ref, code=code, principal=who)
    assert [d.reference for d in p.decisions.mine(principal=world.person)] == [rec.reference]


def test_a_person_linked_by_mydata_finds_a_decision_named_by_their_rrn(world: Any) -> None:
    """The person path of MyData: the system names the person by RRN, only its CI is kept, and
    the account linked to that CI (and no other) sees the decision and may contest it."""
    p = world.p
    rrn = "900101-1234567"
    p.mydata.link_person("person@example.org", "9001011234567", principal=world.admin)
    rec = p.decisions.record(world.draft(subject_rrn=rrn), principal=world.owner)
    stranger = p.decisions.record(world.draft(subject_rrn="851231-2345678"), principal=world.owner)
    assert [d.reference for d in p.decisions.mine(principal=world.person)] == [rec.reference]
    assert p.decisions.view(rec.reference, principal=world.person).reference == rec.reference
    for ref, who in ((rec.reference, world.other), (stranger.reference, world.person)):
        with pytest.raises(errors.NotFound):
            p.decisions.view(ref, principal=who)
    with p.db.session() as s:
        row = s.scalar(select(AiDecision).where(AiDecision.reference == rec.reference))
        assert row.subject_ci == p.mydata.ci_of(rrn) and row.subject_user_id is None
        assert "1234567" not in json.dumps(row.inputs)  # the number itself is nowhere
    filed = p.decisions.file_contest(
        rec.reference, explanation="제 소득 자료가 지난해 것입니다. " * 3, principal=world.person
    )
    assert filed.status == "open"


def test_contest_assigned_outside_owner_and_owner_cannot_review(world: Any) -> None:
    p = world.p
    rec = p.decisions.record(world.draft(), principal=world.owner)
    c = p.decisions.file_contest(
        rec.reference,
        code=rec.access_code,
        explanation=EXPLAIN,
        evidence=[("소득.pdf", b"%PDF-1.4 income")],
        principal=ANONYMOUS,
    )
    assert c.status == "open" and c.reviewer == "reviewer"  # not owner_reviewer: in "bank"
    assert [s["step"] for s in c.steps] == ["filed", "assigned"]
    with pytest.raises(errors.Conflict):
        p.decisions.file_contest(
            rec.reference, code=rec.access_code, explanation=EXPLAIN, principal=ANONYMOUS
        )
    for who in (world.owner, world.owner_reviewer):
        with pytest.raises(errors.PermissionDenied, match="owns the AI system"):
            p.decisions.decide(c.id, outcome="uphold", reasons_text=REASONS, principal=who)
    with pytest.raises(errors.PermissionDenied):
        p.decisions.decide(c.id, outcome="uphold", reasons_text=REASONS, principal=world.other)
    with pytest.raises(errors.InvalidInput):  # an admin cannot hand it to an owner-org member
        p.decisions.assign(c.id, reviewer="owner_reviewer@example.org", principal=world.admin)
    with pytest.raises(errors.PermissionDenied):
        p.decisions.assign(c.id, reviewer="reviewer@example.org", principal=world.owner)
    assert [x.id for x in p.decisions.contests(principal=world.reviewer)] == [c.id]
    done = p.decisions.decide(
        c.id, outcome="uphold", reasons_text=REASONS, principal=world.reviewer
    )
    assert done.status == "upheld" and done.corrected_reference is None
    with pytest.raises(errors.Conflict):
        p.decisions.decide(c.id, outcome="uphold", reasons_text=REASONS, principal=world.reviewer)


def test_overturn_corrects_and_person_is_notified_with_receipts(world: Any) -> None:
    p = world.p
    rec = p.decisions.record(
        world.draft(subject_user_id=world.person.user_id), principal=world.owner
    )
    c = p.decisions.file_contest(rec.reference, explanation=EXPLAIN, principal=world.person)
    with pytest.raises(errors.InvalidInput):
        p.decisions.decide(c.id, outcome="overturn", reasons_text=REASONS, principal=world.reviewer)
    done = p.decisions.decide(
        c.id,
        outcome="overturn",
        reasons_text=REASONS,
        corrected_output="approve",
        principal=world.reviewer,
    )
    assert done.status == "overturned" and done.corrected_reference
    old = p.decisions.view(rec.reference, code=rec.access_code, principal=ANONYMOUS)
    assert old.status == "corrected" and old.corrected_by == done.corrected_reference
    new = p.decisions.view(done.corrected_reference, code=rec.access_code, principal=ANONYMOUS)
    assert (new.output, new.corrects) == ("approve", rec.reference)
    notes = p.notifications.list(principal=world.person)
    assert any("overturned" in n.text_en or "번복" in n.text_ko for n in notes)
    key = p.ledger.public_key()
    types = []
    for step in ("recorded", "filed", "assigned", "decided", "corrected"):
        r = p.decisions.receipt(
            rec.reference, step=step, code=rec.access_code, principal=ANONYMOUS, ledger=p.ledger
        )
        offline = json.loads(json.dumps(r))  # as downloaded
        assert verify_receipt(offline, public_key=key).ok, step
        types.append(offline["entry"]["type"])
    assert types == [
        "ai.decision.recorded",
        "ai.contest.filed",
        "ai.contest.assigned",
        "ai.contest.decided",
        "ai.decision.corrected",
    ]
    with pytest.raises(errors.NotFound):
        p.decisions.receipt(rec.reference, step="filed", principal=world.other, ledger=p.ledger)
    with pytest.raises(errors.Conflict):
        p.decisions.file_contest(rec.reference, explanation=EXPLAIN, principal=world.person)


def test_deadline_in_business_days_and_escalation_once(world: Any) -> None:
    p = world.p
    rec = p.decisions.record(world.draft(), principal=world.owner)
    filed = dt.datetime(2026, 9, 23, 3, 0, tzinfo=dt.UTC)  # Wed; Chuseok 24-26 Sep 2026 (+ sub)
    c = p.decisions.file_contest(
        rec.reference, code=rec.access_code, explanation=EXPLAIN, principal=ANONYMOUS, now=filed
    )
    # 10 Korean business days after Wed 23 Sep 2026, skipping Chuseok and the weekends
    from datanuri.desk.calendar import add_business_days, load_holidays

    last = add_business_days(dt.date(2026, 9, 23), 10, load_holidays())
    assert last > dt.date(2026, 10, 7)  # more than 10 calendar-working days: holidays skipped
    assert c.deadline_at == dt.datetime.combine(
        last + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=9))
    )
    before = c.deadline_at - dt.timedelta(seconds=1)
    assert p.decisions.escalate_overdue(principal=SYSTEM, now=before) == []
    assert p.decisions.escalate_overdue(principal=SYSTEM, now=c.deadline_at) == [c.id]
    assert p.decisions.escalate_overdue(principal=SYSTEM, now=c.deadline_at) == []  # idempotent
    with pytest.raises(errors.PermissionDenied):
        p.decisions.escalate_overdue(principal=world.reviewer)
    overdue = [
        n.kind
        for who in (world.admin, world.reviewer)
        for n in p.notifications.list(principal=who)
        if n.kind == "ai.contest.overdue"
    ]
    assert overdue == ["ai.contest.overdue"] * 2  # the admin and the reviewer, once each
    view = p.decisions.view(rec.reference, code=rec.access_code, principal=ANONYMOUS)
    assert [s["step"] for s in view.contests[0].steps][-1] == "escalated"
    over = p.decisions.oversight("loan-screening", principal=world.owner)
    assert [x.id for x in over.overdue] == [c.id] and over.open_contests == 1


def test_oversight_flags_a_group_with_high_overturn_rate(world: Any) -> None:
    p = world.p
    for group, n, overturn in (("A", 6, 0), ("B", 6, 5)):
        for i in range(n):
            rec = p.decisions.record(world.draft(groups={"region": group}), principal=world.owner)
            c = p.decisions.file_contest(
                rec.reference, code=rec.access_code, explanation=EXPLAIN, principal=ANONYMOUS
            )
            kw: dict[str, Any] = {"corrected_output": "approve"} if i < overturn else {}
            p.decisions.decide(
                c.id,
                outcome="overturn" if i < overturn else "uphold",
                reasons_text=REASONS,
                principal=world.reviewer,
                **kw,
            )
    p.decisions.record(world.draft(groups={"region": "A"}), principal=world.owner)
    over = p.decisions.oversight("loan-screening", principal=world.owner)
    f = over.figures
    assert (f.decisions, f.contests, f.overturned) == (13, 12, 5)
    groups = {g.value: g for g in f.groups}
    assert groups["B"].red_flag and not groups["A"].red_flag
    assert math.isclose(groups["B"].overturn_rate or 0, 5 / 6)
    for who in (world.reviewer, world.other):
        with pytest.raises(errors.PermissionDenied):
            p.decisions.oversight("loan-screening", principal=who)
    assert M.MSG_OVERSIGHT_ONLY
