"""Ranking firms for a project (pure): certifications filter, the weighted fit orders, and every
part of the score comes with a reason in Korean and English."""

from __future__ import annotations

from datanuri.desk import firm_rules as rules
from datanuri.desk.firm_rank import FirmFacts, Needs, fit, rank


def facts(name: str, **kw: object) -> FirmFacts:
    base: dict[str, object] = {
        "name": name,
        "title": name.upper(),
        "skills": (),
        "sectors": (),
        "certifications": (),
        "completed": {},
        "declared": {},
        "rating": None,
        "ratings": 0,
    }
    base.update(kw)
    return FirmFacts(**base)  # type: ignore[arg-type]


NEEDS = Needs(skills=("cleaning", "analysis"), sector="health", certifications=())


def test_full_coverage_sector_and_record_beat_a_partial_match():
    strong = facts(
        "strong",
        skills=("cleaning", "analysis"),
        sectors=("health",),
        completed={"analysis": 2},
        rating=4.5,
        ratings=2,
    )
    partial = facts("partial", skills=("cleaning",), sectors=("finance",))
    ranked = rank([partial, strong], NEEDS)
    assert [f.name for f in ranked] == ["strong", "partial"]
    assert ranked[0].score > ranked[1].score > 0
    ko = [r[0] for r in ranked[0].reasons]
    en = [r[1] for r in ranked[0].reasons]
    assert "요청 역량 2/2개 보유: 데이터 정제, 통계 분석" in ko
    assert "Works in the Health sector" in en
    assert "2 completed platform project(s) in these skills (counted per skill)" in en
    assert "Average rating 4.5/5 (2 rating(s))" in en
    assert ("없는 역량: 통계 분석", "Missing skill: Statistical analysis") in ranked[1].reasons
    assert ("보건·의료 분야 경험 없음", "No work in the Health sector") in ranked[1].reasons


def test_required_certification_is_a_hard_filter():
    needs = Needs(
        skills=("linkage",),
        sector=None,
        certifications=rules.required_certifications(("linkage",), "personal"),
    )
    assert needs.certifications == ("pseudonym_linkage",)
    certified = facts("cert", skills=(), certifications=("pseudonym_linkage",))
    skilled = facts("skilled", skills=("linkage",), completed={"linkage": 9}, rating=5.0)
    ranked = rank([skilled, certified], needs)
    assert [(f.name, f.eligible) for f in ranked] == [("cert", True), ("skilled", False)]
    assert ranked[1].score == 0 and ranked[1].missing == ("pseudonym_linkage",)
    assert ranked[1].reasons[0][0].startswith("필수 인증 없음: 가명정보 결합전문기관 지정")
    assert ranked[0].reasons[0][1].startswith("Holds the required certification")


def test_open_data_linkage_needs_no_designation():
    assert rules.required_certifications(("linkage",), "open") == ()
    assert rules.required_certifications(("analysis",), "personal", ["isms_p"]) == ("isms_p",)


def test_declared_projects_count_half_of_platform_ones():
    needs = Needs(skills=("analysis",), sector=None, certifications=())
    declared = fit(facts("d", skills=("analysis",), declared={"analysis": 2}), needs)
    done = fit(facts("p", skills=("analysis",), completed={"analysis": 2}), needs)
    none = fit(facts("n", skills=("analysis",)), needs)
    assert done.score > declared.score > none.score
    assert ("아직 평점 없음", "Not rated yet") in none.reasons


def test_a_low_rating_lowers_the_score():
    needs = Needs(skills=("analysis",), sector=None, certifications=())
    good = fit(facts("g", skills=("analysis",), rating=5.0, ratings=1), needs)
    bad = fit(facts("b", skills=("analysis",), rating=1.0, ratings=1), needs)
    assert round(good.score - bad.score, 3) == 0.15


def test_won_amounts_read_as_koreans_write_them():
    assert rules.krw(12_000_000, "ko") == "1,200만 원"
    assert rules.krw(150_000_000, "ko") == "1억 5,000만 원"
    assert rules.krw(12_000_000, "en") == "KRW 12,000,000"
