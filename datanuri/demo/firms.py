"""The demo's analysis firms and processing projects: three firms (organisations with a firm
profile and an owner who can log in), two results they published through the normal path, and
one project in each state (open with offers, awarded, delivered, completed, cancelled)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from datanuri.accounts.mfa import requires_second_factor
from datanuri.accounts.principal import SYSTEM
from datanuri.desk.firms import OfferDraft, PastProject, ProfileDraft, ProjectDraft
from datanuri.errors import Conflict, NotFound
from datanuri.platform import Platform

Report = Callable[[str], None]
POSTER = "analyst@datanuri.local"  # the demo's analyst posts the projects
# (organisation, title, owner e-mail, owner name, profile)
DEMO_FIRMS: tuple[tuple[str, str, str, str, ProfileDraft], ...] = (
    (
        "gaon-analytics",
        "가온데이터분석",
        "firm@datanuri.local",
        "정가온 Firm",
        ProfileDraft(
            summary="공공데이터 정제와 통계 분석, 대시보드 구축을 합니다.",
            skills=("cleaning", "analysis", "visualisation"),
            sectors=("public", "transport", "environment"),
            certifications=("dqc", "voucher_supplier"),
            past_projects=(
                PastProject("지자체 교통량 자료 정제", 2024, ("cleaning",), "transport"),
                PastProject(
                    "미세먼지 대시보드", 2025, ("analysis", "visualisation"), "environment"
                ),
            ),
        ),
    ),
    (
        "narae-privacy",
        "나래프라이버시랩",
        "privacy@datanuri.local",
        "한나래 Privacy",
        ProfileDraft(
            summary="가명처리와 가명정보 결합을 전문으로 하는 결합전문기관입니다.",
            skills=("deidentification", "linkage", "analysis"),
            sectors=("health", "finance"),
            certifications=("pseudonym_linkage", "isms_p", "iso27001"),
            past_projects=(
                PastProject("병원 진료 기록 가명처리", 2025, ("deidentification",), "health"),
            ),
        ),
    ),
    (
        "haneul-ai",
        "하늘AI",
        "ai@datanuri.local",
        "오하늘 AI",
        ProfileDraft(
            summary="수요 예측과 이미지 라벨링 같은 기계학습 과제를 맡습니다.",
            skills=("ml", "analysis", "labelling"),
            sectors=("retail", "manufacturing"),
            certifications=("iso27001",),
        ),
    ),
)
# The results the firms published (open, aggregated: no person in them).
RESULTS = {
    "gaon-seoul-air-monthly": (
        "gaon-analytics",
        "서울 대기질 월별 집계 (정제본)",
        "측정소,월,PM10_평균,PM2_5_평균\n종로구,2024-01,41.2,24.8\n종로구,2024-02,45.0,27.1\n"
        "중구,2024-01,39.8,23.9\n중구,2024-02,44.1,26.5\n",
    ),
    "narae-outpatient-monthly": (
        "narae-privacy",
        "외래 진료 월별 건수 (가명처리 후 집계)",
        "진료과,월,외래건수\n내과,2024-01,1204\n내과,2024-02,1133\n소아청소년과,2024-01,642\n"
        "소아청소년과,2024-02,598\n",
    ),
}


def _project(title: str, description: str, skills: tuple[str, ...], **kw: object) -> ProjectDraft:
    due = dt.date.today() + dt.timedelta(days=60)
    base: dict[str, object] = {"budget_min": 5_000_000, "budget_max": 15_000_000, "due_on": due}
    base.update(kw)
    return ProjectDraft(title=title, description=description, skills=skills, **base)  # type: ignore[arg-type]


def seed_demo_firms(platform: Platform, src_dir: Path, report: Report = lambda _m: None) -> int:
    """Make the demo firms and projects once (nothing if a project exists); returns the
    versions it published."""
    acc, desk, cat = platform.accounts, platform.firm_desk, platform.catalog
    from datanuri.demo.load import DEMO_PASSWORD, DEMO_TOTP_SECRET

    try:
        acc.principal_for(POSTER)
    except NotFound:
        return 0
    for org, title, email, name, profile in DEMO_FIRMS:
        try:
            acc.create_organization(org, title=title, principal=SYSTEM)
        except Conflict:
            pass
        try:
            acc.create_user(email, display_name=name, password=DEMO_PASSWORD, principal=SYSTEM)
        except Conflict:
            pass
        acc.add_member(org, email, role="owner", principal=SYSTEM)
        if requires_second_factor(acc.principal_for(email), platform.config.second_factor_policy):
            acc.seed_totp(email, DEMO_TOTP_SECRET, label="demo", principal=SYSTEM)
        desk.save_profile(org, profile, principal=SYSTEM)
    created = 0
    src_dir.mkdir(parents=True, exist_ok=True)
    for dataset, (org, title, rows) in RESULTS.items():
        try:
            cat.get_dataset(dataset, principal=SYSTEM)
        except NotFound:
            cat.create_dataset(dataset, organization=org, title=title, principal=SYSTEM)
        path = src_dir / f"{dataset}.csv"
        path.write_text(rows, encoding="utf-8")
        created += cat.publish(dataset, path, principal=SYSTEM).created
    if not desk.projects(principal=SYSTEM, limit=1):
        _seed_projects(platform, report)
    for org, *_ in DEMO_FIRMS:  # the demo's publisher edits every demo organisation (after the
        # projects: the firms' notices are their owners')
        acc.add_member(org, "publisher@datanuri.local", role="editor", principal=SYSTEM)
    return created


def _seed_projects(platform: Platform, report: Report) -> None:
    """One project in each state, posted by the demo's analyst."""
    acc, desk = platform.accounts, platform.firm_desk
    poster = acc.principal_for(POSTER)
    firm = {org: acc.principal_for(email) for org, _, email, *_ in DEMO_FIRMS}

    def offer(pid: int, org: str, price: int, days: int, note: str) -> int:
        return desk.offer(pid, org, OfferDraft(price, days, note), principal=firm[org]).id

    open_ = desk.post(
        _project(
            "서울 공공와이파이 이용 패턴 분석",
            "공공와이파이 접속 기록을 시간대·장소별로 분석하고 시각화해 주세요.",
            ("analysis", "visualisation"),
            sector="public",
        ),
        principal=poster,
    )
    offer(open_.id, "gaon-analytics", 9_000_000, 30, "대시보드 포함, 4주 안에 납품합니다.")
    offer(open_.id, "haneul-ai", 12_000_000, 40, "이용량 예측 모형까지 제안합니다.")

    awarded = desk.post(
        _project(
            "교통사고 데이터 정제",
            "사고 유형과 발생 장소 표기를 표준 코드로 정리해 주세요.",
            ("cleaning",),
            sector="transport",
        ),
        principal=poster,
    )
    desk.accept(
        offer(awarded.id, "gaon-analytics", 6_000_000, 20, "3주 안에 정제합니다."), principal=poster
    )

    delivered = desk.post(
        _project(
            "대기질 측정 자료 정제·월별 집계",
            "측정소별 결측과 이상값을 정리하고 월별 평균을 내 주세요.",
            ("cleaning", "analysis"),
            sector="environment",
        ),
        principal=poster,
    )
    desk.accept(offer(delivered.id, "gaon-analytics", 7_000_000, 14, ""), principal=poster)
    desk.deliver(
        delivered.id, "gaon-seoul-air-monthly", note="월별 집계본", principal=firm["gaon-analytics"]
    )

    completed = desk.post(
        _project(
            "외래 진료 기록 가명처리와 결합",
            "외래 기록을 가명처리하고 건강보험 자료와 결합한 뒤 월별로 집계해 주세요.",
            ("deidentification", "linkage"),
            sector="health",
            sensitivity="personal",
            budget_max=40_000_000,
        ),
        principal=poster,
    )
    desk.accept(offer(completed.id, "narae-privacy", 30_000_000, 45, ""), principal=poster)
    desk.deliver(completed.id, "narae-outpatient-monthly", principal=firm["narae-privacy"])
    desk.complete(completed.id, 5, note="일정과 품질 모두 좋았습니다.", principal=poster)

    cancelled = desk.post(
        _project(
            "소상공인 매출 예측 모형",
            "카드 매출로 상권별 매출을 예측합니다.",
            ("ml",),
            sector="retail",
        ),
        principal=poster,
    )
    desk.cancel(cancelled.id, reason="예산이 확보되지 않았습니다.", principal=poster)
    report(
        "analysis firms: 3 firms, 5 processing projects (open, awarded, delivered, completed, cancelled)"
    )
