"""A contest's rules as pure functions: the review deadline in Korean business days, who may
review, what an explanation, evidence and an outcome must be."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from datanuri.decisions import messages as M
from datanuri.desk.calendar import KST, Holidays, add_business_days, kst_date
from datanuri.errors import InvalidInput

EXPLANATION_MIN = 10
REASONS_MIN = 20
TEXT_MAX = 5000
EVIDENCE_FILES = 5
EVIDENCE_MB = 10
OUTCOMES = {"uphold": "upheld", "overturn": "overturned"}
REVIEWER_ROLE = "reviewer"  # a platform role, or a role in a (reviewing) organisation


def _text(value: str) -> str:
    return "".join(c for c in (value or "").strip() if c in "\n\t" or c.isprintable())


def clean_explanation(value: str) -> str:
    text = _text(value)
    if len(text) < EXPLANATION_MIN:
        raise InvalidInput(M.MSG_EXPLANATION_SHORT.format(min=EXPLANATION_MIN))
    if len(text) > TEXT_MAX:
        raise InvalidInput(M.MSG_TEXT_LONG.format(max=TEXT_MAX))
    return text


def clean_reasons(value: str) -> str:
    text = _text(value)
    if len(text) < REASONS_MIN:
        raise InvalidInput(M.MSG_REASONS_SHORT.format(min=REASONS_MIN))
    if len(text) > TEXT_MAX:
        raise InvalidInput(M.MSG_TEXT_LONG.format(max=TEXT_MAX))
    return text


def check_evidence(sizes: Collection[int]) -> None:
    if len(sizes) > EVIDENCE_FILES or any(n > EVIDENCE_MB * 1024 * 1024 for n in sizes):
        raise InvalidInput(M.MSG_EVIDENCE_LIMIT.format(count=EVIDENCE_FILES, mb=EVIDENCE_MB))


def outcome(value: str) -> str:
    """ "upheld" or "overturned" for the reviewer's "uphold" or "overturn"."""
    if value not in OUTCOMES:
        raise InvalidInput(M.MSG_OUTCOME)
    return OUTCOMES[value]


def deadline(filed: dt.datetime, business_days: int, holidays: Holidays) -> dt.datetime:
    """The end (midnight in Korea) of the `business_days`-th Korean business day after the day
    the contest was filed."""
    last = add_business_days(kst_date(filed), business_days, holidays)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=KST)
    return end.astimezone(dt.UTC)


def may_review(
    platform_role: str | None, org_roles: dict[str, str], owner_organization: str
) -> bool:
    """Whether a user may review contests of a system owned by `owner_organization`: the
    reviewer role (platform-wide or in some organisation) and no role at all in the owner."""
    if owner_organization in org_roles:
        return False
    return platform_role == REVIEWER_ROLE or REVIEWER_ROLE in org_roles.values()


def overdue(deadline_at: dt.datetime, now: dt.datetime) -> bool:
    return now >= deadline_at
