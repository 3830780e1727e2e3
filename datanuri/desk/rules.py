"""The rules of a data request as data and pure functions: the statuses, the wanted formats and
frequencies, the processing methods, the fixed list of legal refusal reasons, the text limits,
who may see and do what, the deadline clock, and the masking of a requester's name.

Labels are (Korean, English) pairs, like the catalogue vocabulary (`catalog/vocab.py`); the
English error texts live in `desk/messages.py` with their Korean in `i18n/ko.po`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal
from datanuri.desk import messages as M
from datanuri.errors import InvalidInput

Pair = tuple[str, str]
KST = ZoneInfo("Asia/Seoul")

# ----- statuses ---------------------------------------------------------------------------------
STATUSES: dict[str, Pair] = {
    "filed": ("접수", "Filed"),  # waiting to be routed to a holder
    "routed": ("처리 중", "With the holder"),  # the deadline clock runs
    "processing": ("가공 후 제공 예정", "Being processed"),
    "provided": ("제공", "Provided"),
    "refused": ("제공 거부", "Refused"),
    "withdrawn": ("취하", "Withdrawn"),
}
OPEN = ("filed", "routed", "processing")  # not closed: may be supported, withdrawn
DISPUTE_STATUSES: dict[str, Pair] = {
    "open": ("조정 중", "In mediation"),
    "upheld": ("인용 (재처리)", "Upheld (reopened)"),
    "dismissed": ("기각", "Dismissed"),
    "settled": ("합의", "Settled"),
}
DISPUTE_OUTCOMES = ("upheld", "dismissed", "settled")

# ----- what is asked for --------------------------------------------------------------------------
FORMATS: dict[str, Pair] = {
    "csv": ("CSV", "CSV"),
    "xlsx": ("엑셀(XLSX)", "Excel (XLSX)"),
    "parquet": ("Parquet", "Parquet"),
    "json": ("JSON", "JSON"),
    "xml": ("XML", "XML"),
    "geojson": ("GeoJSON", "GeoJSON"),
    "shp": ("SHP (공간정보)", "Shapefile"),
    "api": ("오픈 API", "Open API"),
}
FREQUENCIES: dict[str, Pair] = {
    "once": ("1회", "Once"),
    "realtime": ("실시간", "Real time"),
    "daily": ("매일", "Daily"),
    "weekly": ("매주", "Weekly"),
    "monthly": ("매월", "Monthly"),
    "quarterly": ("분기별", "Quarterly"),
    "yearly": ("매년", "Yearly"),
}
PROCESS_METHODS: dict[str, Pair] = {
    "deidentify": ("비식별 처리 후 제공", "De-identified release"),
    "aggregate": ("집계 후 제공", "Aggregated release"),
    "linkage": ("결합 후 제공", "Linkage"),
}
ANSWER_KINDS: dict[str, Pair] = {
    "provide": ("제공", "Provide"),
    "process": ("가공 후 제공", "Provide after processing"),
    "refuse": ("제공 거부", "Refuse"),
    "transfer": ("이송", "Transfer"),
}


@dataclass(frozen=True)
class RefusalReason:
    """A legal reason to refuse, with the provision it rests on."""

    code: str
    label: Pair
    basis: Pair  # the law and article, (Korean, English)


_ART17 = ("공공데이터법 제17조 (제공대상)", "Public Data Act art. 17 (data to be provided)")
_ART28 = (
    "공공데이터법 제28조 (제공 거부·중단 사유)",
    "Public Data Act art. 28 (refusing or stopping provision)",
)
REFUSAL_REASONS: dict[str, RefusalReason] = {
    r.code: r
    for r in (
        RefusalReason(
            "nondisclosure",
            (
                "정보공개법 제9조의 비공개 대상 정보",
                "Non-disclosable under the Information Disclosure Act art. 9",
            ),
            (
                _ART17[0] + " · 정보공개법 제9조",
                _ART17[1] + "; Official Information Disclosure Act art. 9",
            ),
        ),
        RefusalReason(
            "third_party_rights",
            (
                "제3자의 권리(저작권 등) 침해",
                "Infringes a third party's rights (copyright and the like)",
            ),
            _ART17,
        ),
        RefusalReason(
            "not_held", ("데이터 미보유", "The organisation does not hold the data"), _ART28
        ),
        RefusalReason(
            "excessive_burden",
            (
                "생성·가공에 따른 업무 지장이 과도함",
                "Creating or processing it would disrupt the organisation's work excessively",
            ),
            _ART28,
        ),
        RefusalReason(
            "purpose_harm",
            (
                "업무의 본래 목적에 중대한 지장 우려",
                "Risk of serious harm to the organisation's original purpose",
            ),
            _ART28,
        ),
    )
}

# ----- limits and the clock ---------------------------------------------------------------------
TITLE_MIN, TITLE_MAX = 4, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 4000
PURPOSE_MIN, PURPOSE_MAX = 10, 2000
NOTE_MAX = 2000
REASONS_MIN, REASONS_MAX = 10, 4000
MAX_FORMATS = 8
DEADLINE_DAYS = 10  # business days to answer (Public Data Act)
EXTENSION_DAYS = 10  # one extension
LIST_MAX = 200
LIMITS = {
    "title_min": TITLE_MIN,
    "title_max": TITLE_MAX,
    "description_min": DESCRIPTION_MIN,
    "description_max": DESCRIPTION_MAX,
    "purpose_min": PURPOSE_MIN,
    "purpose_max": PURPOSE_MAX,
    "note_max": NOTE_MAX,
    "reasons_min": REASONS_MIN,
    "reasons_max": REASONS_MAX,
}


def clean_text(value: str | None) -> str:
    """`value` trimmed, without control characters other than line breaks and tabs."""
    return "".join(c for c in (value or "").strip() if c in "\n\t" or c.isprintable())


def _bounded(value: str | None, lo: int, hi: int, short: str, long: str) -> str:
    text = clean_text(value)
    if len(text) < lo:
        raise InvalidInput(short.format(**LIMITS))
    if len(text) > hi:
        raise InvalidInput(long.format(**LIMITS))
    return text


def clean_title(value: str) -> str:
    return _bounded(value, TITLE_MIN, TITLE_MAX, M.MSG_TITLE_SHORT, M.MSG_TITLE_LONG)


def clean_description(value: str) -> str:
    return _bounded(
        value, DESCRIPTION_MIN, DESCRIPTION_MAX, M.MSG_DESCRIPTION_SHORT, M.MSG_DESCRIPTION_LONG
    )


def clean_purpose(value: str) -> str:
    return _bounded(value, PURPOSE_MIN, PURPOSE_MAX, M.MSG_PURPOSE_SHORT, M.MSG_PURPOSE_LONG)


def clean_reasons(value: str) -> str:
    return _bounded(value, REASONS_MIN, REASONS_MAX, M.MSG_REASONS_SHORT, M.MSG_REASONS_LONG)


def clean_note(value: str | None, *, required: bool = False) -> str:
    text = clean_text(value)
    if required and not text:
        raise InvalidInput(M.MSG_NOTE_NEEDED)
    if len(text) > NOTE_MAX:
        raise InvalidInput(M.MSG_NOTE_LONG.format(**LIMITS))
    return text


def _allowed(vocab: dict[str, Pair] | dict[str, RefusalReason]) -> str:
    return ", ".join(vocab)


def check_formats(values: Sequence[str]) -> tuple[str, ...]:
    """The wanted formats, each from FORMATS, without repeats, in the order given."""
    out: list[str] = []
    for v in values:
        if v not in FORMATS:
            raise InvalidInput(M.MSG_FORMAT.format(value=v, allowed=_allowed(FORMATS)))
        if v not in out:
            out.append(v)
    if len(out) > MAX_FORMATS:
        raise InvalidInput(M.MSG_FORMAT.format(value=out[-1], allowed=_allowed(FORMATS)))
    return tuple(out)


def check_frequency(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in FREQUENCIES:
        raise InvalidInput(M.MSG_FREQUENCY.format(value=value, allowed=_allowed(FREQUENCIES)))
    return value


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and start > end:
        raise InvalidInput(M.MSG_PERIOD)


def check_method(value: str) -> str:
    if value not in PROCESS_METHODS:
        raise InvalidInput(M.MSG_METHOD.format(value=value, allowed=_allowed(PROCESS_METHODS)))
    return value


def check_reason(value: str) -> str:
    if value not in REFUSAL_REASONS:
        raise InvalidInput(M.MSG_REASON.format(value=value, allowed=_allowed(REFUSAL_REASONS)))
    return value


def check_outcome(value: str) -> str:
    if value not in DISPUTE_OUTCOMES:
        raise InvalidInput(M.MSG_OUTCOME.format(value=value, allowed=", ".join(DISPUTE_OUTCOMES)))
    return value


def label(vocab: dict[str, Pair], key: str | None, lang: str = "ko") -> str:
    if key is None:
        return ""
    pair = vocab.get(key)
    return key if pair is None else pair[0 if lang == "ko" else 1]


# ----- the clock --------------------------------------------------------------------------------
def kst_date(t: dt.datetime) -> dt.date:
    """The local date in Korea of an aware time (the day a request reached its holder)."""
    return t.astimezone(KST).date()


def is_overdue(status: str, due_on: dt.date | None, today: dt.date) -> bool:
    """Not answered (still with the holder) and the deadline has passed."""
    return status == "routed" and due_on is not None and today > due_on


# ----- people -----------------------------------------------------------------------------------
def mask_name(name: str) -> str:
    """A name for strangers: its first character then stars, e.g. "김민지" -> "김**"."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(2, len(name) - 1) if len(name) > 1 else name + "*"


def is_user(p: Principal) -> bool:
    return p.kind == "user" and p.user_id is not None


def is_holder(p: Principal, organization: str | None) -> bool:
    """An editor or owner of `organization`, or the machine's owner (the CLI's SYSTEM)."""
    if p.kind == "system":
        return True
    return organization is not None and p.role_in(organization) in EDITORS


def may_see_private(p: Principal, requester_id: int, organization: str | None) -> bool:
    """Purpose and full name: the requester, members of the routed holder (any role), and
    admins (the machine's owner included)."""
    if p.is_admin or (is_user(p) and p.user_id == requester_id):
        return True
    return organization is not None and p.role_in(organization) is not None
