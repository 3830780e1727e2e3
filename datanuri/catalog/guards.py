"""What the catalog asks before content becomes a version, and how it keeps row values out of
the profiles of personal datasets.

The catalog knows nothing of privacy (layers: catalog may not import privacy). It defines the
`PublishGuard` protocol here; `datanuri.privacy.guard` implements it with identifier detection
and `platform.py` hands that implementation to `CatalogService`. The pure profile screening
(`screen_profile`) lives here too, so it is the same function at publish and at read time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from datanuri.accounts.policy import DatasetAccess
from datanuri.accounts.principal import Principal
from datanuri.events import EventKind

# Profile keys that are counts or types, never a value taken from the rows.
PROFILE_SAFE_KEYS = (
    "name",
    "type",
    "count",
    "nulls",
    "null_count",
    "distinct",
    "distinct_count",
    "approx_distinct",
    "distinct_approximate",
)
SCREEN_KEY = "value_screen"  # the profile's record of which columns' values were withheld
MSG_PROBLEM_WITHHELD = (
    "{where}: {what} did not fit ({kind}); the value is not shown because the column may "
    "identify people. Check that line of the source file."
)


@dataclass(frozen=True, kw_only=True)
class PublishRequest:
    """One publish the guard is asked about: where the ingested Parquet is, and into what."""

    dataset: str
    organization: str
    access_level: str  # of the target dataset: open, restricted or personal
    parquet: Path  # the canonical Parquet about to become the version
    content_hash: str  # its SHA-256
    principal: Principal
    override_reason: str | None = None  # the holder's owner overriding a false detection
    release: object | None = None  # a ticket the guard itself issued to a passing release


@dataclass(frozen=True, kw_only=True)
class PublishClearance:
    """The guard's answer when it lets a publish through (it raises when it does not)."""

    # Columns whose profile values (top values, min/max, quantiles, histograms) must never be
    # stored; None when the dataset's profiles need no screening (open or restricted data).
    withhold_values: frozenset[str] | None = None
    screened_by: str = ""  # what decided `withhold_values`, stored with the profile
    # Recorded in the ledger in the version's transaction, before the version exists.
    event: EventKind | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


class CopyMaker(Protocol):
    """Makes a recipient's own copy of a version before a download delivers it (the market's
    buyer fingerprints); `platform.py` hands the implementation to `CatalogService`."""

    def copy_for(
        self, principal: Principal, dataset: DatasetAccess, version: int, parquet: Path, fmt: str
    ) -> Path | None:
        """A temporary Parquet file to deliver instead of `parquet` (removed after the
        download), or None to deliver the version as stored."""
        ...


class PublishGuard(Protocol):
    """Checks content before the catalog makes a version of it."""

    def check(self, request: PublishRequest) -> PublishClearance:
        """Allow the publish (with what to withhold and record) or raise a `DatanuriError`."""
        ...

    def withheld_columns(self, parquet: Path) -> frozenset[str]:
        """Columns of a stored personal version whose profile values may not be shown (used for
        versions published before profiles were screened)."""
        ...


def screen_profile(
    profile: Mapping[str, Any], withhold: Iterable[str], *, by: str
) -> dict[str, Any]:
    """`profile` without the row values of the columns in `withhold` (counts and types stay),
    marked with which columns were withheld and what decided it."""
    names = set(withhold)
    cols = [
        {k: c[k] for k in PROFILE_SAFE_KEYS if k in c} | {"withheld": True}
        if c.get("name") in names
        else dict(c)
        for c in profile.get("columns", [])
    ]
    withheld = [c.get("name") for c in cols if c.get("withheld")]
    return {
        **{k: v for k, v in profile.items() if k not in ("columns", SCREEN_KEY)},
        "columns": cols,
        SCREEN_KEY: {"withheld": withheld, "by": by},
    }


def is_screened(profile: Mapping[str, Any]) -> bool:
    """Whether the profile was screened when it was stored."""
    return isinstance(profile.get(SCREEN_KEY), Mapping)


def screen_problems(problems: Mapping[str, Any], withhold: Iterable[str]) -> dict[str, Any]:
    """Row problems without the cell values of withheld columns, or of no one column (where and
    what stay)."""
    names = set(withhold)
    items = [
        _withhold_problem(p)
        if (p.get("column") in names or p.get("column") is None) and p.get("value") is not None
        else dict(p)
        for p in problems.get("items", [])
    ]
    return {**problems, "items": items}


def _withhold_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """A row problem without its cell value, in the problem's own message too."""
    where = f"Line {problem.get('line')}" if problem.get("line") is not None else "A row"
    column = problem.get("column")
    what = f"a value in column {column!r}" if column else "a value"
    # message_ko quotes the value too
    return {k: v for k, v in problem.items() if k not in ("value", "message_ko")} | {
        "message": MSG_PROBLEM_WITHHELD.format(where=where, what=what, kind=problem.get("kind")),
        "value_withheld": True,
    }
