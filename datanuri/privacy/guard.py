"""The publish guard: identifier detection on every publish, the catalog's `PublishGuard`.

- Into an open or restricted dataset: content in which detection finds a direct identifier (at
  any confidence; a column that is only near-unique, with no identifying header or values, is
  not one here) is refused, unless it comes from a privacy release that passed (it carries a
  ticket this guard issued to that release, for that target and that table shape, usable once),
  or an owner of the holding organisation overrides the detection with a reason, which the
  catalog records in the ledger (`privacy.detection.overridden`) before the version exists.
- Into a personal dataset: the columns detection cannot clear (anything but "other" and
  "sensitive") are returned so the catalog stores their profile without values.

The catalog itself refuses content identical to a version of a personal dataset before asking.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datanuri import errors
from datanuri.accounts.principal import Principal
from datanuri.catalog.guards import PublishClearance, PublishRequest
from datanuri.events import DetectionOverridden
from datanuri.privacy import messages as M
from datanuri.privacy.detect import ColumnFinding, Detection, _header_evidence, detect
from datanuri.store.db import utcnow

SAMPLE_ROWS = 5_000  # rows detection looks at (as `detect` samples), read row group by row group
CLEARED = ("other", "sensitive")  # categories whose profile values a holder's editors may see
MIN_REASON_CHARS = 10
OVERRIDE_ROLE = "owner"


class PublishRefused(errors.PermissionDenied):
    """Detection found direct identifiers in content bound for an open or restricted dataset."""

    code = "direct_identifiers"


@dataclass(frozen=True, eq=False)
class ReleaseTicket:
    """Issued by the guard to a privacy release that passed: lets exactly that table (its
    columns and row count) into `target`, once. Compared by identity: a copy is not a ticket."""

    target: str
    columns: tuple[str, ...]
    rows: int


def sample_parquet(path: Path, n: int = SAMPLE_ROWS, *, seed: int = 0) -> pa.Table:
    """A seeded random sample of about `n` rows of a Parquet file, one row group in memory at a time."""
    pf = pq.ParquetFile(path)
    total = pf.metadata.num_rows
    if total <= n:
        return pf.read()
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(pf.num_row_groups):
        group = pf.read_row_group(i)
        take = min(group.num_rows, max(1, round(n * group.num_rows / total)))
        idx = np.sort(rng.choice(group.num_rows, size=take, replace=False))
        parts.append(group.take(pa.array(idx)))
    return pa.concat_tables(parts)


def distinct_only(finding: ColumnFinding) -> bool:
    """A record key called so only because its values are (almost) all different, with no
    identifying header: in a table that is not about people (counts per district, readings per
    station) that is not personal data, so it does not block an open publish. In a personal
    dataset it still counts (its profile values are withheld, and the release gate sees it)."""
    return finding.kind == "record_key" and _header_evidence(finding.column) is None


def flagged(detection: Detection) -> list[ColumnFinding]:
    """Findings that block an open or restricted publish: every direct identifier, whatever its
    confidence (a low-confidence direct identifier is still one), except distinctness alone."""
    return [c for c in detection.columns if c.category == "direct" and not distinct_only(c)]


def withheld(detection: Detection) -> frozenset[str]:
    """Columns whose profile values are withheld in a personal dataset: all detection cannot clear."""
    return frozenset(c.column for c in detection.columns if c.category not in CLEARED)


def _describe(found: list[ColumnFinding]) -> str:
    return ", ".join(f"{c.column!r} ({c.kind}, {c.confidence:.2f})" for c in found)


def may_override(principal: Principal, org: str) -> bool:
    """Whether `principal` may override a detection for organisation `org`: its owners (and the
    machine owner at the CLI, who holds the database anyway)."""
    return principal.kind == "system" or principal.role_in(org) == OVERRIDE_ROLE


@dataclass
class DetectionGuard:
    """The catalog's `PublishGuard`, by identifier detection (`datanuri.privacy.detect`)."""

    sample_rows: int = SAMPLE_ROWS
    _issued: set[ReleaseTicket] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ----- tickets of passing releases (PrivacyService.release only) ---------------------------
    def issue(
        self, *, target: str, table: pa.Table, passed: bool, rows: int | None = None
    ) -> ReleaseTicket:
        """A one-use ticket for the candidate of a release whose policy passed (`rows`: its
        records when `table` holds only its first rows, as on the large-table path)."""
        if not passed:
            raise errors.PermissionDenied(M.MSG_RELEASE_TICKET.format(name=target))
        n = table.num_rows if rows is None else rows
        ticket = ReleaseTicket(target, tuple(table.column_names), n)
        with self._lock:
            self._issued.add(ticket)
        return ticket

    def revoke(self, ticket: ReleaseTicket) -> None:
        """Forget a ticket (the release ended, used or not)."""
        with self._lock:
            self._issued.discard(ticket)

    def _redeem(self, ticket: object, request: PublishRequest) -> bool:
        if not isinstance(ticket, ReleaseTicket) or ticket.target != request.dataset:
            return False
        meta = pq.ParquetFile(request.parquet).metadata
        names = tuple(pq.read_schema(request.parquet).names)
        if names != ticket.columns or meta.num_rows != ticket.rows:
            return False
        with self._lock:
            if ticket not in self._issued:
                return False
            self._issued.discard(ticket)
        return True

    # ----- PublishGuard --------------------------------------------------------------------------
    def detect(self, parquet: Path) -> Detection:
        return detect(sample_parquet(parquet, self.sample_rows), sample_size=self.sample_rows)

    def withheld_columns(self, parquet: Path) -> frozenset[str]:
        return withheld(self.detect(parquet))

    def check(self, request: PublishRequest) -> PublishClearance:
        if request.access_level == "personal":
            return PublishClearance(
                withhold_values=self.withheld_columns(request.parquet), screened_by="detection"
            )
        if request.release is not None:
            if self._redeem(request.release, request):
                return PublishClearance(notes=("a passing privacy release",))
            raise errors.PermissionDenied(M.MSG_RELEASE_TICKET.format(name=request.dataset))
        found = flagged(self.detect(request.parquet))
        if not found:
            return PublishClearance()
        columns = _describe(found)
        where = {
            "name": request.dataset,
            "level": request.access_level,
            "org": request.organization,
            "columns": columns,
        }
        details = {"columns": [c.to_dict() for c in found]}
        reason = (request.override_reason or "").strip()
        if request.override_reason is None:
            raise PublishRefused(M.MSG_PUBLISH_IDENTIFIERS.format(**where), details=details)
        if not may_override(request.principal, request.organization):
            raise PublishRefused(M.MSG_OVERRIDE_NOT_OWNER.format(**where), details=details)
        if len(reason) < MIN_REASON_CHARS:
            raise errors.InvalidInput(
                M.MSG_OVERRIDE_REASON.format(min_chars=MIN_REASON_CHARS), details=details
            )
        return PublishClearance(
            event=DetectionOverridden(
                actor=request.principal.ref,
                time=utcnow(),
                dataset=request.dataset,
                access_level=request.access_level,
                parquet_sha256=request.content_hash,
                columns=tuple(c.column for c in found),
                reason=reason,
            ),
            notes=(f"detection overridden by {request.principal.ref}: {reason}",),
        )


def ticket_issuer(catalog: object) -> DetectionGuard:
    """The guard whose release tickets `catalog`'s publish check honours: the catalog's own
    (or the platform's stand-in that makes it on first use), else a new one for a catalog
    without a detection guard."""
    shared = getattr(catalog, "guard", None)
    if callable(getattr(shared, "issue", None)):
        return cast(DetectionGuard, shared)
    return DetectionGuard()
