"""A small Korean/English catalog shared by the search, CKAN and metadata tests."""

from __future__ import annotations

from typing import Any

from datanuri.accounts.principal import SYSTEM

DATASETS: list[dict[str, Any]] = [
    dict(
        name="traffic-accidents",
        organization="police",
        title="전국 교통사고 통계",
        description="도로교통공단이 집계한 교통사고 발생 건수와 사상자 현황입니다.",
        keywords=["교통", "사고", "통계"],
        theme="교통",
        license="CC-BY-4.0",
        spatial="전국",
        temporal_start="2020-01-01",
        temporal_end="2023-12-31",
    ),
    dict(
        name="air-quality",
        organization="seoul",
        title="대기질 측정 자료",
        description="측정소별 미세먼지(PM10, PM2.5) 시간별 농도.",
        keywords=["대기", "미세먼지"],
        theme="환경",
        license="KOGL-1",
        spatial="서울특별시 종로구",
    ),
    dict(
        name="air-quality-busan",
        organization="busan",
        title="부산 대기질측정 결과",
        description="부산광역시 대기오염 측정망 자료",
        keywords=["대기오염"],
        theme="환경",
        license="KOGL-1",
        spatial="부산광역시 해운대구",
    ),
    dict(
        name="public-wifi",
        organization="seoul",
        title="공공와이파이 설치 위치",
        description="Locations of free public Wi-Fi access points.",
        keywords=["통신"],
        theme="정보통신",
        license="CC-BY-4.0",
        spatial="서울",
    ),
    dict(
        name="pharmacies",
        organization="seoul",
        title="서울특별시 약국 현황",
        description="약국 이름, 주소, 영업시간",
        keywords=["보건", "약국"],
        theme="보건",
        license="KOGL-1",
        spatial="서울특별시 강남구",
    ),
    dict(
        name="bus-stops",
        organization="busan",
        title="Bus stop locations",
        description="Every bus stop with its coordinates, measured by GPS surveys.",
        keywords=["transport"],
        theme="교통",
        license="CC-BY-4.0",
        language="en",
        spatial="Busan",
    ),
    dict(
        name="patients",
        organization="seoul",
        title="환자 진료 기록",
        description="개인 진료 내역",
        theme="보건",
        access_level="personal",
        metadata_public=False,
        spatial="서울특별시",
    ),
    dict(
        name="clinic-visits",
        organization="seoul",
        title="의원 방문 기록",
        description="개인별 방문 내역",
        theme="보건",
        access_level="personal",
        metadata_public=True,
    ),
]
ORGS = {"police": "경찰청", "seoul": "서울특별시", "busan": "부산광역시"}


def load_catalog(platform: Any) -> None:
    """Create the organisations and datasets above (metadata only) through the catalog."""
    for name, title in ORGS.items():
        platform.accounts.create_organization(name, title=title, principal=SYSTEM)
    for d in DATASETS:
        d = dict(d)
        platform.catalog.create_dataset(
            d.pop("name"),
            organization=d.pop("organization"),
            title=d.pop("title"),
            **d,
            principal=SYSTEM,
        )


def make_app(platform: Any) -> Any:
    """The web app with this issue's routers, whether or not the app wires them yet."""
    from fastapi.routing import APIRoute

    from datanuri.web.app import create_app

    app = create_app(platform)
    have = {r.path for r in app.routes if isinstance(r, APIRoute)}
    from datanuri.web import routes_ckan, routes_search

    if "/api/v1/search" not in have:
        app.include_router(routes_search.router, prefix="/api/v1")
    if "/api/3/action/{action}" not in have:
        app.include_router(routes_ckan.router, prefix="/api/3/action")
        app.include_router(routes_ckan.router, prefix="/api/action")
        app.include_router(routes_ckan.root_router)
    try:
        from datanuri.web import routes_metadata
    except ImportError:
        return app
    if "/catalog.jsonld" not in have:
        app.include_router(routes_metadata.router)
    return app


def serve(app: Any) -> Any:
    """Run `app` on a free loopback port in a thread; returns (base_url, stop)."""
    from tests.helpers import serve_app

    running = serve_app(app)
    url = running.__enter__()
    return url, lambda: running.__exit__(None, None, None)
