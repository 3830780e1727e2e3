"""What a page shows of a withdrawn version: the reason, who withdrew it and when, in words
people read (a name, a Korean date), never a principal reference or an ISO timestamp."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datanuri import errors
from datanuri.accounts.service import AccountService
from datanuri.catalog.records import DatasetInfo, VersionInfo

KST = dt.timezone(dt.timedelta(hours=9), "KST")
SYSTEM_NAME = ("시스템 운영자", "the system operator")


@dataclass(frozen=True)
class Tombstone:
    """A withdrawn version as a page shows it."""

    number: int
    reason: str
    who: str
    when: str  # in the reader's language, Korea time
    ledger_index: int | None
    remaining: int | None  # the dataset's latest version left, if any


def korean_date(iso: str, lang: str) -> str:
    """An ISO timestamp as "2026년 12월 3일 21:05" (Korea time), or "3 Dec 2026, 21:05 KST"."""
    t = dt.datetime.fromisoformat(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    t = t.astimezone(KST)
    if lang == "ko":
        return f"{t.year}년 {t.month}월 {t.day}일 {t:%H:%M}"
    return f"{t.day} {t:%b %Y, %H:%M} KST"


def actor_name(accounts: AccountService, ref: str, lang: str) -> str:
    """The display name behind a principal reference ("user:3", "system")."""
    kind, _, key = ref.partition(":")
    if kind == "user" and key.isdigit():
        try:
            return accounts.get_user(int(key)).display_name
        except errors.NotFound:
            pass
    return SYSTEM_NAME[0 if lang == "ko" else 1] if ref == "system" else ref


def tombstone_for(
    accounts: AccountService, ds: DatasetInfo, asked: int | None, lang: str
) -> Tombstone | None:
    """The tombstone a dataset page shows: of the version asked for if it was withdrawn, or of
    the newest version when every version was withdrawn; None when a live version is shown."""
    by_number = {v.number: v for v in ds.versions}
    v: VersionInfo | None = by_number.get(asked) if asked is not None else None
    if v is None and asked is None and ds.latest_version is None and ds.versions:
        v = max(ds.versions, key=lambda x: x.number)
    if v is None or v.withdrawn is None:
        return None
    w = v.withdrawn
    return Tombstone(
        number=v.number,
        reason=w.reason,
        who=actor_name(accounts, w.withdrawn_by, lang),
        when=korean_date(w.withdrawn_at, lang),
        ledger_index=w.ledger_index,
        remaining=ds.latest_version,
    )
