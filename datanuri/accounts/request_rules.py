"""The rules of an access request as pure functions: what a purpose, a period, a reason and an
expiry must be, and the status a request shows now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from datanuri.accounts import request_messages as M
from datanuri.errors import InvalidInput

PURPOSE_MIN = 10
PURPOSE_MAX = 2000
REASON_MAX = 1000
MAX_DAYS = 1095  # three years: a longer use is a new request
DEFAULT_DAYS = 365
PERIODS = (30, 90, 180, 365, 730)  # the choices the request form offers
KST = ZoneInfo("Asia/Seoul")
LIMITS = {  # the numbers the messages name
    "purpose_min": PURPOSE_MIN,
    "purpose_max": PURPOSE_MAX,
    "reason_max": REASON_MAX,
    "max_days": MAX_DAYS,
}


def _text(value: str) -> str:
    """`value` with its ends trimmed and control characters (other than line breaks) removed."""
    return "".join(c for c in value.strip() if c in "\n\t" or c.isprintable())


def clean_purpose(value: str) -> str:
    text = _text(value)
    if len(text) < PURPOSE_MIN:
        raise InvalidInput(M.MSG_PURPOSE_SHORT[1].format(**LIMITS))
    if len(text) > PURPOSE_MAX:
        raise InvalidInput(M.MSG_PURPOSE_LONG[1].format(**LIMITS))
    return text


def check_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(M.MSG_DAYS[1].format(**LIMITS))
    return days


def clean_reason(value: str | None, *, required: bool) -> str | None:
    text = _text(value or "")
    if not text:
        if required:
            raise InvalidInput(M.MSG_REASON_NEEDED[1])
        return None
    if len(text) > REASON_MAX:
        raise InvalidInput(M.MSG_REASON_LONG[1].format(**LIMITS))
    return text


def expiry(on: dt.date | None, *, days: int, now: dt.datetime) -> dt.datetime:
    """When an approval ends: at the end of day `on` in Korea, or `days` after `now` if no date
    is given. A date must be from tomorrow (Korean time) up to `MAX_DAYS` ahead."""
    if on is None:
        return now + dt.timedelta(days=check_days(days))
    today = now.astimezone(KST).date()
    if not today < on <= today + dt.timedelta(days=MAX_DAYS):
        raise InvalidInput(M.MSG_EXPIRY[1].format(**LIMITS))
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time(), tzinfo=KST)
    return end.astimezone(dt.UTC)


def status_now(stored: str, expires_at: dt.datetime | None, revoked: bool, now: dt.datetime) -> str:
    """The status to show: an approved request whose entitlement ended is expired or revoked."""
    if stored != "approved":
        return stored
    if revoked:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return "approved"


def korean_date(t: dt.datetime) -> str:
    """The last day of use in Korea, as Koreans write it, e.g. "2027년 1월 2일"."""
    d = (t.astimezone(KST) - dt.timedelta(microseconds=1)).date()
    return f"{d.year}년 {d.month}월 {d.day}일"


def english_date(t: dt.datetime) -> str:
    d = (t.astimezone(KST) - dt.timedelta(microseconds=1)).date()
    return d.isoformat()
