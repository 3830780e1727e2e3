"""The firm desk on both databases: firms keep profiles, a poster's project is ranked, firms
offer, the poster accepts one (the others close), the firm delivers a published version the
poster can see, the poster completes with a rating. Every step is in the ledger (texts only as
hashes) and notifies the other side; the rights are checked at each step."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from datanuri import canonical, errors
from datanuri.accounts import ANONYMOUS, SYSTEM
from datanuri.desk import firm_messages as M
from datanuri.desk import firm_rules as rules
from datanuri.desk.firms import OfferDraft, PastProject, ProfileDraft, ProjectDraft
from tests.helpers import PASSWORD, air_csv

DESCRIPTION = "병원 외래 기록과 대기질 자료를 정제하고 분석합니다 (담당 김민지 010-1234-5678)."
OFFER_NOTE = "3주 안에 정제와 분석을 마칩니다. 담당자 박정우."


def due(days: int = 30) -> dt.date:
    return dt.datetime.now(rules.KST).date() + dt.timedelta(days=days)


@pytest.fixture
def world(platform, tmp_path):
    acc = platform.accounts
    users = {
        "kim": "김민지",  # poster, owner of the holder org
        "own": "최소유",  # owner of firm-a
        "ed": "박정우",  # editor of firm-a
        "mem": "구성원",  # member (not editor) of firm-a
        "lee": "이서준",  # owner of firm-b
        "out": "외부인",  # in no organisation
    }
    for key, name in users.items():
        acc.create_user(
            f"{key}@example.org", display_name=name, password=PASSWORD, principal=SYSTEM
        )
    acc.create_organization("holder", title="누리병원", principal=SYSTEM)
    acc.create_organization("firm-a", title="가온분석", principal=SYSTEM)
    acc.create_organization("firm-b", title="나래데이터", principal=SYSTEM)
    acc.add_member("holder", "kim@example.org", role="owner", principal=SYSTEM)
    acc.add_member("firm-a", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("firm-a", "ed@example.org", role="editor", principal=SYSTEM)
    acc.add_member("firm-a", "mem@example.org", role="member", principal=SYSTEM)
    acc.add_member("firm-b", "lee@example.org", role="owner", principal=SYSTEM)
    cat = platform.catalog
    cat.create_dataset("firm-a-result", organization="firm-a", principal=SYSTEM)
    cat.publish("firm-a-result", air_csv(tmp_path / "r.csv"), principal=SYSTEM)
    cat.create_dataset(
        "firm-a-private",
        organization="firm-a",
        access_level="personal",
        metadata_public=False,
        principal=SYSTEM,
    )
    p = {k: acc.principal_for(f"{k}@example.org") for k in users}
    desk = platform.firm_desk
    desk.save_profile(
        "firm-a",
        ProfileDraft(
            summary="정제·분석 전문",
            skills=("cleaning", "analysis"),
            sectors=("health",),
            certifications=("dqc",),
            past_projects=(PastProject("외래 환자 통계", 2025, ("analysis",), "health"),),
        ),
        principal=p["own"],
    )
    desk.save_profile(
        "firm-b",
        ProfileDraft(skills=("cleaning", "linkage"), sectors=("finance",)),
        principal=p["lee"],
    )
    return p


def _project(desk, who, **kw):
    draft = {
        "title": "외래 기록 정제와 분석",
        "description": DESCRIPTION,
        "skills": ("cleaning", "analysis"),
        "sector": "health",
        "budget_min": 10_000_000,
        "budget_max": 30_000_000,
        "due_on": due(),
        "organization": "holder",
    }
    draft.update(kw)
    return desk.post(ProjectDraft(**draft), principal=who)


def _entries(platform, prefix: str) -> list[dict]:
    found = []
    for i in range(platform.ledger.size()):
        e = platform.ledger.public_receipt(i)["entry"]
        if e["type"].startswith(prefix):
            found.append(e)
    return found


def _notices(platform, who) -> list[str]:
    return [n.text_en for n in platform.notifications.list(principal=who)]


def test_post_rank_offer_accept_deliver_complete(platform, world):
    desk, kim = platform.firm_desk, world["kim"]
    proj = _project(desk, kim)
    assert proj.status == "open" and proj.mine and proj.organization == "holder"

    ranking = desk.rank(proj.id, principal=kim)
    assert [f.name for f in ranking.fits] == ["firm-a", "firm-b"]
    top = ranking.fits[0]
    assert ("보건·의료 분야 경험", "Works in the Health sector") in top.reasons
    assert any("1 past project(s) in these skills on its profile" in en for _, en in top.reasons)

    a = desk.offer(proj.id, "firm-a", OfferDraft(20_000_000, 21, OFFER_NOTE), principal=world["ed"])
    b = desk.offer(proj.id, "firm-b", OfferDraft(15_000_000, 30), principal=world["lee"])
    assert "가온분석 sent an offer on your project «외래 기록 정제와 분석»." in _notices(
        platform, kim
    )
    # a firm sees only its own offer; the poster sees both; the public sees none
    assert [o.id for o in desk.project(proj.id, principal=world["lee"]).offers] == [b.id]
    assert [o.id for o in desk.project(proj.id, principal=kim).offers] == [a.id, b.id]
    assert desk.project(proj.id, principal=world["out"]).offers == ()

    # only the poster accepts (the offering firm is refused; to others the offer is unknown)
    with pytest.raises(errors.PermissionDenied):
        desk.accept(a.id, principal=world["ed"])
    for other in ("lee", "out"):
        with pytest.raises(errors.NotFound):
            desk.accept(a.id, principal=world[other])
    won = desk.accept(a.id, principal=kim)
    assert (won.status, won.firm, won.price) == ("awarded", "firm-a", 20_000_000)
    offers = {o.firm: o.status for o in won.offers}
    assert offers == {"firm-a": "accepted", "firm-b": "closed"}
    assert any("was accepted" in t for t in _notices(platform, world["ed"]))
    assert any("is closed" in t for t in _notices(platform, world["lee"]))
    with pytest.raises(errors.Conflict):
        desk.accept(b.id, principal=kim)  # awarded: no second winner

    # delivery: the winning firm's editors, a version the poster can see
    with pytest.raises(errors.PermissionDenied):
        desk.deliver(proj.id, "firm-a-result", principal=world["lee"])
    with pytest.raises(errors.Conflict) as hidden:
        desk.deliver(proj.id, "firm-a-private", principal=world["ed"])
    assert "cannot see dataset 'firm-a-private'" in hidden.value.message
    with pytest.raises(errors.NotFound):
        desk.deliver(proj.id, "firm-a-result", 9, principal=world["ed"])
    with pytest.raises(errors.Conflict):
        desk.complete(proj.id, 5, principal=kim)  # nothing delivered yet
    done = desk.deliver(proj.id, "firm-a-result", note="정제 결과", principal=world["ed"])
    assert (done.status, done.dataset, done.version) == ("delivered", "firm-a-result", 1)
    assert desk.project(proj.id, principal=world["out"]).dataset is None  # the public: no link

    with pytest.raises(errors.InvalidInput):
        desk.complete(proj.id, 6, principal=kim)
    with pytest.raises(errors.PermissionDenied):
        desk.complete(proj.id, 5, principal=world["ed"])
    closed = desk.complete(proj.id, 4, note="만족", principal=kim)
    assert (closed.status, closed.rating) == ("completed", 4)
    profile = desk.profile("firm-a")
    assert (profile.completed, profile.rating, profile.ratings) == (1, 4.0, 1)
    listed = [(f.name, f.completed, f.rating, f.ratings) for f in desk.firms()]
    assert listed == [("firm-a", 1, 4.0, 1), ("firm-b", 0, None, 0)]

    # the ledger: every step, texts only as hashes, the delivered content's digest
    kinds = [e["type"] for e in _entries(platform, "desk.")]
    assert kinds == [
        "desk.firm.profile.saved",
        "desk.firm.profile.saved",
        "desk.project.posted",
        "desk.project.offer.sent",
        "desk.project.offer.sent",
        "desk.project.awarded",
        "desk.project.delivered",
        "desk.project.completed",
    ]
    whole = json.dumps(_entries(platform, "desk."), ensure_ascii=False)
    for secret in ("010-1234-5678", "박정우", "정제 결과", "만족"):
        assert secret not in whole
    posted = _entries(platform, "desk.project.posted")[0]
    assert posted["subject"] == f"desk-project:{proj.id}"
    sent = _entries(platform, "desk.project.offer.sent")[0]
    assert sent["hashes"]["note"] == f"sha256:{canonical.sha256_text(OFFER_NOTE)}"
    assert sent["data"] == {"offer": a.id, "firm": "firm-a", "price": 20_000_000, "days": 21}
    delivered = _entries(platform, "desk.project.delivered")[0]
    version = platform.catalog.get_version("firm-a-result", 1, principal=SYSTEM)
    assert delivered["hashes"]["content"].endswith(version.content_hash)
    awarded = _entries(platform, "desk.project.awarded")[0]
    assert awarded["data"]["closed"] == [b.id]

    # the next ranking counts the completed project and its rating
    again = _project(desk, kim, title="두 번째 분석")
    top = desk.rank(again.id, principal=kim).fits[0]
    assert top.name == "firm-a"
    assert "Average rating 4.0/5 (1 rating(s))" in [en for _, en in top.reasons]


def test_only_a_firms_editors_offer(platform, world):
    desk = platform.firm_desk
    proj = _project(desk, world["kim"])
    draft = OfferDraft(12_000_000, 14)
    for who in ("mem", "out", "lee"):  # a member, an outsider, another firm's owner
        with pytest.raises(errors.PermissionDenied) as denied:
            desk.offer(proj.id, "firm-a", draft, principal=world[who])
        assert denied.value.message == M.MSG_FIRM_EDITORS
    with pytest.raises(errors.NotFound):
        desk.offer(proj.id, "holder", draft, principal=world["kim"])  # no firm profile
    made = desk.offer(proj.id, "firm-a", draft, principal=world["own"])
    with pytest.raises(errors.Conflict):
        desk.offer(proj.id, "firm-a", draft, principal=world["ed"])  # one waiting at a time
    with pytest.raises(errors.NotFound):
        desk.withdraw_offer(made.id, principal=world["lee"])  # not theirs to see
    assert desk.withdraw_offer(made.id, principal=world["ed"]).status == "withdrawn"
    again = desk.offer(proj.id, "firm-a", OfferDraft(11_000_000, 14), principal=world["ed"])
    assert again.status == "sent" and again.id != made.id
    with pytest.raises(errors.NotAuthenticated):
        desk.offer(proj.id, "firm-a", draft, principal=ANONYMOUS)


def test_linkage_of_personal_data_needs_a_designated_agency(platform, world):
    desk = platform.firm_desk
    proj = _project(desk, world["kim"], skills=("linkage",), sensitivity="personal", sector=None)
    assert proj.certifications == ("pseudonym_linkage",)
    with pytest.raises(errors.Conflict) as lacking:
        desk.offer(proj.id, "firm-b", OfferDraft(1_000_000, 10), principal=world["lee"])
    assert "pseudonym_linkage" in lacking.value.message
    fits = desk.rank(proj.id, principal=world["kim"]).fits
    assert all(not f.eligible for f in fits)
    desk.save_profile(
        "firm-b",
        ProfileDraft(skills=("linkage",), certifications=("pseudonym_linkage", "isms_p")),
        principal=world["lee"],
    )
    assert desk.rank(proj.id, principal=world["kim"]).fits[0].name == "firm-b"
    assert desk.offer(proj.id, "firm-b", OfferDraft(1_000_000, 10), principal=world["lee"])


def test_cancel_closes_the_offers(platform, world):
    desk, kim = platform.firm_desk, world["kim"]
    proj = _project(desk, kim)
    made = desk.offer(proj.id, "firm-a", OfferDraft(20_000_000, 21), principal=world["ed"])
    with pytest.raises(errors.PermissionDenied):
        desk.cancel(proj.id, principal=world["ed"])
    gone = desk.cancel(proj.id, reason="예산 미확보", principal=kim)
    assert gone.status == "cancelled" and [o.status for o in gone.offers] == ["closed"]
    assert any("was cancelled" in t for t in _notices(platform, world["ed"]))
    with pytest.raises(errors.Conflict):
        desk.accept(made.id, principal=kim)
    with pytest.raises(errors.Conflict):
        desk.offer(proj.id, "firm-b", OfferDraft(1, 1), principal=world["lee"])
    (entry,) = _entries(platform, "desk.project.cancelled")
    assert entry["data"] == {"previous": "open"} and "reason" in entry["hashes"]


def test_profiles_are_their_owners_and_projects_checked(platform, world):
    desk = platform.firm_desk
    with pytest.raises(errors.PermissionDenied):
        desk.save_profile("firm-a", ProfileDraft(skills=("ml",)), principal=world["ed"])
    with pytest.raises(errors.InvalidInput):
        desk.save_profile("firm-a", ProfileDraft(skills=("magic",)), principal=world["own"])
    assert [f.name for f in desk.firms(skill="linkage")] == ["firm-b"]
    assert [f.name for f in desk.firms(sector="health")] == ["firm-a"]
    with pytest.raises(errors.PermissionDenied):
        _project(desk, world["out"])  # for an organisation they do not edit
    with pytest.raises(errors.InvalidInput):
        _project(desk, world["kim"], due_on=due(0))
    with pytest.raises(errors.InvalidInput):
        _project(desk, world["kim"], budget_min=5, budget_max=4)
    with pytest.raises(errors.InvalidInput):
        _project(desk, world["kim"], skills=())
    mine = _project(desk, world["out"], organization=None, desk_request_id=7)
    assert mine.desk_request_id == 7 and mine.organization is None
    listed = desk.projects(principal=world["out"], mine=True)
    assert [p.id for p in listed] == [mine.id]
    assert desk.projects(principal=world["kim"], status="open")[0].id == mine.id
