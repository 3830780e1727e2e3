"""The vocabularies and rules of the firm desk as pure data and functions: the skills, sectors,
certifications and data sensitivities a profile or a project names (each with a Korean and an
English label), the project states and the checks a profile, a project and an offer must pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from datanuri.desk import firm_messages as M
from datanuri.desk.rules import KST as KST  # the desk's, also used through this module
from datanuri.desk.rules import clean_text
from datanuri.errors import InvalidInput

Pair = tuple[str, str]

SKILLS: Mapping[str, Pair] = {
    "cleaning": ("데이터 정제", "Data cleaning"),
    "deidentification": ("비식별·가명처리", "De-identification"),
    "linkage": ("데이터 결합", "Data linkage"),
    "analysis": ("통계 분석", "Statistical analysis"),
    "visualisation": ("시각화", "Visualisation"),
    "ml": ("기계학습", "Machine learning"),
    "labelling": ("데이터 라벨링", "Data labelling"),
}
SECTORS: Mapping[str, Pair] = {
    "public": ("공공행정", "Public administration"),
    "health": ("보건·의료", "Health"),
    "finance": ("금융", "Finance"),
    "transport": ("교통·물류", "Transport"),
    "environment": ("환경·기상", "Environment"),
    "retail": ("유통·소비", "Retail"),
    "education": ("교육", "Education"),
    "manufacturing": ("제조", "Manufacturing"),
}
CERTIFICATIONS: Mapping[str, Pair] = {
    "dqc": ("데이터 품질인증(DQC)", "Data quality certification (DQC)"),
    "pseudonym_linkage": (
        "가명정보 결합전문기관 지정",
        "Designated pseudonymised-data linkage agency",
    ),
    "isms_p": ("정보보호 및 개인정보보호 관리체계 인증(ISMS-P)", "ISMS-P certification"),
    "iso27001": ("ISO/IEC 27001 인증", "ISO/IEC 27001 certification"),
    "voucher_supplier": ("데이터바우처 공급기업", "Data voucher supplier"),
}
# What the data to process is: open data, pseudonymised data (가명정보), or personal data.
SENSITIVITIES: Mapping[str, Pair] = {
    "open": ("공개 데이터", "Open data"),
    "pseudonymous": ("가명정보", "Pseudonymised data"),
    "personal": ("개인정보", "Personal data"),
}
STATUSES: Mapping[str, Pair] = {
    "open": ("제안 접수 중", "Open for offers"),
    "awarded": ("수행 중", "Awarded"),
    "delivered": ("납품됨", "Delivered"),
    "completed": ("완료", "Completed"),
    "cancelled": ("취소", "Cancelled"),
}
OFFER_STATUSES: Mapping[str, Pair] = {
    "sent": ("검토 대기", "Waiting"),
    "accepted": ("선정", "Accepted"),
    "closed": ("미선정", "Not chosen"),
    "withdrawn": ("철회", "Withdrawn"),
}
LINKAGE_CERT = "pseudonym_linkage"  # 가명정보 결합: only a designated agency may link such data

TITLE_MAX = 200
TEXT_MAX = 4000
NOTE_MAX = 2000
MAX_ITEMS = 20  # past projects on a profile
MAX_KRW = 10**12
MAX_DAYS = 730


def text(value: str | None, *, limit: int, required: bool = False, what: str = "text") -> str:
    """`value` trimmed and without control characters (line breaks kept), checked for length."""
    out = clean_text(value)
    if required and not out:
        raise InvalidInput(M.MSG_REQUIRED.format(what=what))
    if len(out) > limit:
        raise InvalidInput(M.MSG_TOO_LONG.format(what=what, limit=limit))
    return out


def codes(values: Iterable[str], vocabulary: Mapping[str, Pair], what: str) -> tuple[str, ...]:
    """Known codes of `vocabulary`, each once, in the vocabulary's order."""
    given = {v.strip() for v in values if v and v.strip()}
    unknown = sorted(given - set(vocabulary))
    if unknown:
        raise InvalidInput(
            M.MSG_UNKNOWN_CODE.format(
                what=what, codes=", ".join(unknown), known=", ".join(vocabulary)
            )
        )
    return tuple(c for c in vocabulary if c in given)


def one_code(value: str, vocabulary: Mapping[str, Pair], what: str) -> str:
    found = codes([value], vocabulary, what)
    if not found:
        raise InvalidInput(M.MSG_REQUIRED.format(what=what))
    return found[0]


def money(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_KRW:
        raise InvalidInput(M.MSG_MONEY.format(what=what, limit=MAX_KRW))
    return value


def budget(low: int, high: int) -> tuple[int, int]:
    money(low, "budget_min")
    money(high, "budget_max")
    if low > high:
        raise InvalidInput(M.MSG_BUDGET_ORDER)
    return low, high


def days(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput(M.MSG_DAYS.format(limit=MAX_DAYS))
    return value


def due_date(on: dt.date, now: dt.datetime) -> dt.date:
    """A due date must be after today in Korea."""
    if on <= now.astimezone(KST).date():
        raise InvalidInput(M.MSG_DUE_PAST)
    return on


def rating(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(M.MSG_RATING)
    return value


def required_certifications(
    skills: Iterable[str], sensitivity: str, chosen: Iterable[str] = ()
) -> tuple[str, ...]:
    """The certifications a firm must hold for a project: those the poster chose, and the
    designation as a linkage agency when personal or pseudonymised data is to be linked."""
    need = set(chosen)
    if "linkage" in set(skills) and sensitivity in ("pseudonymous", "personal"):
        need.add(LINKAGE_CERT)
    return tuple(c for c in CERTIFICATIONS if c in need)


def label(vocabulary: Mapping[str, Pair], code: str, lang: str) -> str:
    pair = vocabulary.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "ko" else pair[1]


def krw(amount: int, lang: str) -> str:
    """An amount in won as people read it: "1,200만 원" / "KRW 12,000,000"."""
    if lang != "ko":
        return f"KRW {amount:,}"
    if amount >= 10**8 and amount % 10**4 == 0:
        eok, man = divmod(amount // 10**4, 10**4)
        return f"{eok:,}억 {man:,}만 원" if man else f"{eok:,}억 원"
    if amount >= 10**4 and amount % 10**4 == 0:
        return f"{amount // 10**4:,}만 원"
    return f"{amount:,}원"
