"""Demo data requests ("데이터 요청"): one request in every state the desk knows — filed, routed,
overdue and escalated, extended, processing, provided, refused with a dispute open, a dispute
decided, withdrawn and transferred — with supporters, so the list, a request's page, the
statistics and the holders' console have something to show.

Every step goes through `RequestDesk` with the acting demo user, as a person would do it. The
overdue request is filed and routed by a desk whose clock reads five weeks ago (the service's
own `clock` parameter), so its deadline has really passed when the sweep escalates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.desk.calendar import add_business_days
from datanuri.desk.service import (
    AnswerKind,
    Process,
    Provide,
    Refuse,
    RequestDesk,
    RequestDraft,
    RequestFilter,
    Transfer,
)
from datanuri.errors import Conflict, NotFound
from datanuri.platform import Platform

Report = Callable[[str], None]
ANALYST = "analyst@datanuri.local"
PUBLISHER = "publisher@datanuri.local"  # an editor of every demo organisation
ADMIN = "admin@datanuri.local"
# Citizens who file and support requests (no organisation).
CITIZENS: tuple[tuple[str, str], ...] = (
    ("citizen1@datanuri.local", "한시민 Citizen"),
    ("citizen2@datanuri.local", "오연구 Researcher"),
    ("citizen3@datanuri.local", "윤창업 Founder"),
)
# The demo's request that a reader searching for EV chargers finds as a duplicate (README).
EV_TITLE = "전기차 충전소 시간대별 이용 현황"
LATE_BY = dt.timedelta(days=35)  # the overdue request was filed this long ago


@dataclass(frozen=True)
class DemoRequest:
    """One demo request: who files it, to whom, what happens to it, and who supports it."""

    title: str
    description: str
    purpose: str
    theme: str
    by: str
    holder: str | None
    state: str  # filed, routed, overdue, extended, processing, provided, disputed, decided,
    #             withdrawn, transferred
    supporters: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv",)
    frequency: str | None = None
    region: str | None = None


C1, C2, C3 = (email for email, _ in CITIZENS)
REQUESTS: tuple[DemoRequest, ...] = (
    DemoRequest(
        EV_TITLE,
        "서울시 공공 전기차 충전소별로 시간대별 충전 건수와 충전량, 고장 시간을 알고 싶습니다.",
        "충전 수요가 몰리는 시간과 지역을 찾아 충전소 추가 설치 위치를 제안하는 연구에 씁니다.",
        "교통",
        C1,
        None,
        "filed",
        supporters=(C2, C3),
        formats=("csv", "api"),
        frequency="monthly",
        region="11",
    ),
    DemoRequest(
        "따릉이 대여소별 월간 대여·반납 건수",
        "공공자전거 대여소마다 월별 대여 건수와 반납 건수, 거치대 수가 필요합니다.",
        "자전거 도로 확충 우선순위를 정하는 시민 제안서를 쓰는 데 씁니다.",
        "교통",
        C2,
        "seoul-metro-gov",
        "routed",
        supporters=(C1,),
        frequency="monthly",
        region="11",
    ),
    DemoRequest(
        "시군구별 1인 가구 연령대 분포",
        "시군구별로 1인 가구를 연령대(10세 단위)와 성별로 나눈 가구 수가 필요합니다.",
        "고령 1인 가구 돌봄 서비스 수요를 추정하는 지방자치단체 정책 연구에 씁니다.",
        "인구",
        ANALYST,
        "kostat",
        "overdue",
        supporters=(C3,),
        formats=("csv", "xlsx"),
        frequency="yearly",
    ),
    DemoRequest(
        "교통사고 다발 지점 좌표와 사고 유형",
        "최근 3년 교통사고 다발 지점의 위경도 좌표와 사고 유형별 건수가 필요합니다.",
        "어린이 보호구역 주변 사고 위험 지도를 만드는 비영리 프로젝트에 씁니다.",
        "교통",
        C3,
        "knpa",
        "extended",
        formats=("csv", "geojson"),
        frequency="yearly",
    ),
    DemoRequest(
        "대기오염 측정소 시간별 원자료",
        "서울 대기오염 측정소의 시간별 미세먼지·초미세먼지·오존 원자료가 필요합니다.",
        "시간대별 미세먼지 노출과 호흡기 질환 외래 방문의 관계를 보는 연구에 씁니다.",
        "환경",
        C2,
        "keco",
        "processing",
        supporters=(ANALYST,),
        frequency="daily",
        region="11",
    ),
    DemoRequest(
        "서울시 공공와이파이 설치 위치와 통신사",
        "공공와이파이 설치 장소의 주소, 좌표, 설치 기관이 필요합니다.",
        "공공와이파이 지도를 만드는 앱에서 씁니다.",
        "정보통신",
        C1,
        "seoul-metro-gov",
        "provided",
        supporters=(C3,),
        region="11",
    ),
    DemoRequest(
        "외래 환자별 처방 내역 원자료",
        "외래 환자 한 사람 한 사람의 처방 약품과 용량 내역이 필요합니다.",
        "약물 병용과 부작용의 관계를 분석하는 대학원 연구에 씁니다.",
        "보건",
        ANALYST,
        "nuri-hospital",
        "disputed",
    ),
    DemoRequest(
        "112 신고 접수 녹취 원본",
        "112 신고 전화의 녹취 파일 원본과 접수 시각이 필요합니다.",
        "신고 접수 과정의 음성 인식 정확도를 연구하는 데 씁니다.",
        "공공질서",
        C3,
        "knpa",
        "decided",
    ),
    DemoRequest(
        "시도별 업종별 사업체 매출액",
        "시도별, 산업 대분류별 사업체의 연간 매출액 합계가 필요합니다.",
        "창업 지역을 고르는 데 참고하려고 합니다.",
        "경제",
        C3,
        "kostat",
        "withdrawn",
    ),
    DemoRequest(
        "버스 정류장별 시간대별 승하차 인원",
        "서울 시내버스 정류장별로 한 시간 단위 승차·하차 인원이 필요합니다.",
        "출퇴근 시간 버스 혼잡도를 분석하는 연구에 씁니다.",
        "교통",
        C2,
        "kostat",
        "transferred",
        supporters=(C1, ANALYST),
        frequency="monthly",
        region="11",
    ),
)


def seed_demo_desk(platform: Platform, report: Report = lambda _msg: None, *, password: str) -> int:
    """File the demo requests once (nothing when the desk already has requests); returns how
    many were filed. The demo citizens get `password`, the demo's one password."""
    desk = platform.desk
    if desk.find(RequestFilter(limit=1), principal=SYSTEM).total:
        return 0
    orgs = {o.name for o in platform.catalog.list_organizations()}
    if not {"seoul-metro-gov", "kostat", "knpa", "keco", "nuri-hospital"} <= orgs:
        return 0  # the generator made other organisations: nothing to route to
    _citizens(platform, password)
    who = platform.accounts.principal_for
    late = RequestDesk(
        desk.db,
        desk.events,
        desk.access,
        desk.notifier,
        desk.suggester,
        desk.holidays,
        clock=lambda: dt.datetime.now(dt.UTC) - LATE_BY,
    )
    filed = 0
    for r in REQUESTS:
        _play(late if r.state == "overdue" else desk, r, who)
        filed += 1
    escalated = desk.sweep_overdue()
    report(f"data requests: {filed} demo requests filed, {len(escalated)} escalated as overdue")
    return filed


def _citizens(platform: Platform, password: str) -> None:
    for email, name in CITIZENS:
        try:
            platform.accounts.create_user(
                email, display_name=name, password=password, principal=SYSTEM
            )
        except Conflict:
            pass


def _play(desk: RequestDesk, r: DemoRequest, who: Callable[[str], Principal]) -> int:
    """File `r`, gather its supporters (while it is open) and take it to its state; returns its
    id."""
    draft = RequestDraft(
        title=r.title,
        description=r.description,
        purpose=r.purpose,
        theme=r.theme,
        formats=r.formats,
        frequency=r.frequency,
        region=r.region,
        organization=None,
    )
    rid = desk.file(draft, principal=who(r.by)).request.id
    for email in r.supporters:
        desk.support(rid, principal=who(email))
    if r.holder is None:
        return rid
    desk.route(rid, r.holder, principal=who(ADMIN))
    holder = who(PUBLISHER)

    def answer(a: AnswerKind) -> None:
        desk.answer(rid, a, principal=holder)

    if r.state == "extended":
        desk.extend(rid, "원자료에서 좌표를 정비하는 데 시간이 더 걸립니다.", principal=holder)
    elif r.state == "processing":
        due = add_business_days(dt.date.today(), 20, desk.holidays)  # a working day
        answer(Process("aggregate", "측정소별 시간 자료를 검증한 뒤 공개합니다.", due))
    elif r.state == "provided":
        answer(Provide("seoul-public-wifi", note="이미 공개한 데이터셋으로 제공합니다."))
    elif r.state in ("disputed", "decided"):
        reason = "nondisclosure" if r.state == "disputed" else "third_party_rights"
        answer(Refuse(reason, "원자료에는 개인을 알아볼 수 있는 정보가 들어 있습니다."))
        desk.open_dispute(
            rid,
            "가명처리하거나 집계하면 개인을 알아볼 수 없으니 제공할 수 있다고 생각합니다.",
            principal=who(r.by),
        )
        if r.state == "decided":
            desk.decide_dispute(
                rid,
                "dismissed",
                "녹취 원본은 음성 자체가 개인을 식별하므로 거부가 타당합니다.",
                principal=who(ADMIN),
            )
    elif r.state == "withdrawn":
        desk.withdraw(rid, principal=who(r.by))
    elif r.state == "transferred":
        answer(Transfer("seoul-metro-gov", "시내버스 승하차 자료는 서울특별시가 보유합니다."))
    return rid


def demo_request_id(platform: Platform, title: str) -> int:
    """The id of the demo request titled `title` (tests and the README's tour find it so)."""
    for r in platform.desk.find(RequestFilter(q=title, limit=50), principal=SYSTEM).items:
        if r.title == title:
            return r.id
    raise NotFound(f"No demo request is titled {title!r}.")
