"""The demo datasets' richer metadata (갱신주기, 제공형태, contact phone, citation, DOI) and
column notes (설명, 단위, 코드정의서), so their pages show what a publisher fills in. DOIs use
DataCite's test prefix 10.5072, which resolves nowhere."""

from __future__ import annotations

from typing import Any

EXTRA: dict[str, dict[str, Any]] = {
    "population-by-sigungu": {
        "update_frequency": "monthly",
        "provision_type": "file",
        "contact_phone": "044-215-0000",
        "citation": "행정안전부 (2024). 시군구별 주민등록 인구 현황 (datanuri 데모).",
        "doi": "10.5072/datanuri.demo.population-2024",
    },
    "traffic-accidents-2024": {
        "update_frequency": "annual",
        "provision_type": "file",
        "contact_phone": "033-749-0000",
        "citation": "도로교통공단 (2024). 교통사고 정보 (datanuri 데모).",
    },
    "air-quality-seoul-daily": {
        "update_frequency": "daily",
        "provision_type": "api",
        "contact_phone": "02-2133-0000",
        "citation": "서울특별시 (2024). 대기오염 측정 일평균 (datanuri 데모).",
        "doi": "10.5072/datanuri.demo.air-2024",
    },
    "seoul-public-wifi": {
        "update_frequency": "asneeded",
        "provision_type": "file",
        "contact_phone": "02-2133-0001",
    },
    "seoul-bus-stop-ridership": {
        "update_frequency": "monthly",
        "provision_type": "file",
        "contact_phone": "02-2133-0002",
    },
    "establishments-by-region-industry": {
        "update_frequency": "annual",
        "provision_type": "file",
        "contact_phone": "042-481-0000",
        "citation": "통계청 (2024). 전국사업체조사 시도·산업별 (datanuri 데모).",
    },
    "nuri-hospital-outpatient-visits": {
        "update_frequency": "irregular",
        "provision_type": "request",
    },
    "seoul-112-calls": {"update_frequency": "quarterly", "provision_type": "request"},
}

COLUMN_NOTES: dict[str, dict[str, dict[str, Any]]] = {
    "population-by-sigungu": {
        "총인구": {"description": "주민등록 인구", "unit": "명"},
        "세대수": {"description": "주민등록 세대", "unit": "세대"},
        "남여 비율": {"description": "여자 100명당 남자 수", "unit": "명"},
    },
    "traffic-accidents-2024": {
        "사망자수": {"description": "사고 발생 30일 이내 사망", "unit": "명"},
        "부상자수": {"description": "중상·경상·부상신고 합계", "unit": "명"},
    },
    "air-quality-seoul-daily": {
        "망": {
            "description": "측정망 구분",
            "codes": [["도시대기", "도시 지역 대기질"], ["도로변대기", "도로변 대기질"]],
        },
        "SO2": {"description": "아황산가스 일평균", "unit": "ppm"},
        "CO": {"description": "일산화탄소 일평균", "unit": "ppm"},
        "O3": {"description": "오존 일평균", "unit": "ppm"},
        "NO2": {"description": "이산화질소 일평균", "unit": "ppm"},
        "PM10": {"description": "미세먼지 일평균", "unit": "㎍/㎥"},
        "PM2.5": {"description": "초미세먼지 일평균", "unit": "㎍/㎥"},
    },
    "establishments-by-region-industry": {
        "region_code": {"description": "시도 코드 (행정표준코드 앞 두 자리)"},
        "industry_code": {
            "description": "한국표준산업분류 대분류",
            "codes": [["A", "농업, 임업 및 어업"], ["B", "광업"], ["C", "제조업"]],
        },
        "workers": {"description": "종사자 수", "unit": "명"},
    },
    "seoul-112-calls": {
        "긴급도": {
            "description": "112 신고 대응 단계",
            "codes": [["C0", "최긴급"], ["C1", "긴급"], ["C2", "비긴급"], ["C3", "일반 민원"]],
        },
        "현장도착소요(분)": {"description": "접수부터 현장 도착까지", "unit": "분"},
    },
}
