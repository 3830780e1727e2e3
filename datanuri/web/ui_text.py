"""Korean and English words of the browser UI that are not sentences in a template.

Templates carry their own sentences through `t(ko, en)`; this module holds the vocabularies
(themes, access levels, facet names, licences) and the error page texts, each as (ko, en).
"""

from __future__ import annotations

Pair = tuple[str, str]

# Catalog themes are stored in Korean (the national portal's categories).
THEMES: dict[str, Pair] = {
    "교통": ("교통", "Transport"),
    "경제": ("경제", "Economy"),
    "공공질서": ("공공질서", "Public order"),
    "과학기술": ("과학기술", "Science & technology"),
    "보건": ("보건", "Health"),
    "인구": ("인구", "Population"),
    "환경": ("환경", "Environment"),
    "교육": ("교육", "Education"),
    "문화관광": ("문화관광", "Culture & tourism"),
    "농림": ("농림", "Agriculture"),
    "재정금융": ("재정금융", "Finance"),
    "사회복지": ("사회복지", "Welfare"),
    "국토관리": ("국토관리", "Land"),
    "산업고용": ("산업고용", "Industry & jobs"),
    "재난안전": ("재난안전", "Safety"),
}

ACCESS: dict[str, Pair] = {
    "open": ("공개", "Open"),
    "restricted": ("제한 공개", "Restricted"),
    "personal": ("개인정보 포함", "Personal data"),
}

ACCESS_HELP: dict[str, Pair] = {
    "open": ("누구나 내려받을 수 있습니다.", "Anyone may download it."),
    "restricted": ("보유 기관 구성원과 이용 권한이 있는 사람만 행을 볼 수 있습니다.",
                   "Only members of the holding organisation and entitled users may see its rows."),
    "personal": ("개인정보가 들어 있어 행을 보여 주거나 내려받을 수 없습니다. 비식별 처리된 공개본을 요청하세요.",
                 "It holds personal data: its rows are never shown or downloaded. Ask the holder for a de-identified release."),
}

FACETS: dict[str, Pair] = {
    "theme": ("주제", "Theme"),
    "organization": ("기관", "Organisation"),
    "region": ("지역", "Region"),
    "access_level": ("공개 수준", "Access"),
    "format": ("형식", "Format"),
    "license": ("이용허락", "Licence"),
    "keyword": ("키워드", "Keyword"),
    "language": ("언어", "Language"),
    "sigungu": ("시군구", "District"),
}

LANGUAGES: dict[str, Pair] = {"ko": ("한국어", "Korean"), "en": ("영어", "English")}

LICENSES: dict[str, Pair] = {
    "KOGL-1": ("공공누리 제1유형 (출처표시)", "KOGL Type 1 (attribution)"),
    "KOGL-2": ("공공누리 제2유형 (출처표시, 상업적 이용금지)", "KOGL Type 2 (attribution, non-commercial)"),
    "KOGL-3": ("공공누리 제3유형 (출처표시, 변경금지)", "KOGL Type 3 (attribution, no derivatives)"),
    "KOGL-4": ("공공누리 제4유형 (출처표시, 상업적 이용금지, 변경금지)", "KOGL Type 4 (attribution, non-commercial, no derivatives)"),
    "CC-BY-4.0": ("크리에이티브 커먼즈 저작자표시 4.0", "Creative Commons Attribution 4.0"),
    "CC0-1.0": ("CC0 (퍼블릭 도메인)", "CC0 (public domain)"),
    "proprietary": ("보유 기관 전용", "Proprietary"),
}

FIELD_TYPES: dict[str, Pair] = {
    "string": ("문자열", "text"), "integer": ("정수", "integer"), "number": ("실수", "number"),
    "boolean": ("참/거짓", "boolean"), "date": ("날짜", "date"), "datetime": ("일시", "date-time"),
    "time": ("시각", "time"), "year": ("연도", "year"),
}

# Error pages: status -> (title, explanation), each (ko, en).
ERRORS: dict[int, tuple[Pair, Pair]] = {
    400: (("요청이 올바르지 않습니다", "This request is not valid"),
          ("주소나 입력값을 확인하고 다시 시도하세요.", "Check the address or the values you entered and try again.")),
    401: (("로그인이 필요합니다", "Please log in"),
          ("이 페이지를 보려면 로그인하세요.", "Log in to see this page.")),
    403: (("볼 수 있는 권한이 없습니다", "You may not see this"),
          ("이 내용은 권한이 있는 사용자만 볼 수 있습니다. 필요하면 보유 기관에 문의하세요.",
           "Only users with the right permission may see this. Ask the holding organisation if you need it.")),
    404: (("페이지를 찾을 수 없습니다", "Page not found"),
          ("주소가 바뀌었거나 없는 페이지입니다. 검색으로 찾아보세요.",
           "The address is wrong or the page no longer exists. Try searching for it.")),
    429: (("요청이 너무 많습니다", "Too many requests"),
          ("잠시 후 다시 시도하세요.", "Wait a moment and try again.")),
    500: (("서버에 문제가 생겼습니다", "Something went wrong"),
          ("문제가 기록되었습니다. 잠시 후 다시 시도하고, 계속되면 알려 주세요.",
           "The problem has been logged. Try again in a moment, and report it if it repeats.")),
}


def pick(pairs: dict[str, Pair], key: str | None, lang: str) -> str:
    """The word for `key` in `lang`, or the key itself when the vocabulary lacks it."""
    if key is None:
        return ""
    pair = pairs.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "ko" else pair[1]


def error_text(status: int, lang: str) -> tuple[str, str]:
    title, body = ERRORS.get(status) or ERRORS[500 if status >= 500 else 400]
    i = 0 if lang == "ko" else 1
    return title[i], body[i]


# Names of the receipt checks (the messages stay as the verifier wrote them).
CHECKS: dict[str, Pair] = {
    "format": ("형식", "format"),
    "public key": ("공개키", "public key"),
    "checkpoint signature": ("체크포인트 서명", "checkpoint signature"),
    "entry": ("기록 해시", "entry hash"),
    "inclusion": ("포함 증명", "inclusion proof"),
    "file": ("파일 해시", "file hash"),
    "cosignatures": ("증인 연서명", "cosignatures"),
    "content": ("Parquet 해시 일치", "Parquet hash matches"),
    "subject": ("대상 버전", "subject version"),
    "checkpoint": ("현재 체크포인트", "current checkpoint"),
}
