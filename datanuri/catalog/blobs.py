"""Blobs no version refers to: removed when a publication fails, and collected by `datanuri
blobs gc` (left by a crash between storing a blob and committing its version).

A blob is removed only while holding the lock a publication holds from storing the blob to
committing its version (the write session, and the blob's digest as a named lock), after
checking that no version or distribution refers to it: a publication of the same content in
another thread or process is never left without its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from datanuri.catalog.models import DatasetDocument, Distribution, Version
from datanuri.jobs.models import Job
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database, lock_name

# Columns of other capabilities' tables naming blobs they keep (e.g. synthetic candidates),
# registered by those capabilities (`hold_blobs_in`): a blob one of them names is no orphan.
HOLDERS: list[InstrumentedAttribute[str]] = []


def hold_blobs_in(column: InstrumentedAttribute[str]) -> None:
    """Keep every blob whose digest `column` holds from removal (once per column)."""
    if column not in HOLDERS:
        HOLDERS.append(column)


@dataclass(frozen=True)
class GcResult:
    """What `collect_orphans` found: the unreferenced blobs (removed unless `dry_run`)."""

    blobs: int
    orphans: tuple[str, ...]
    removed: bool

    def to_dict(self) -> dict[str, object]:
        return {"blobs": self.blobs, "orphans": list(self.orphans), "removed": self.removed}


def referenced(db: Database, digest: str) -> bool:
    """Whether a version, a distribution, an attached document, an unfinished job's staged
    upload or a registered holder (`HOLDERS`) refers to blob `digest`."""
    with db.session() as s:
        return _referenced(s, digest)


def _referenced(s: Session, digest: str) -> bool:
    q = select(Version.id).where(Version.content_hash == digest).limit(1)
    if s.scalar(q) is not None:
        return True
    q = select(Distribution.id).where(Distribution.blob_hash == digest).limit(1)
    if s.scalar(q) is not None:
        return True
    q = select(DatasetDocument.id).where(DatasetDocument.blob_hash == digest).limit(1)
    if s.scalar(q) is not None:
        return True
    if any(s.scalar(select(c).where(c == digest).limit(1)) is not None for c in HOLDERS):
        return True
    return s.scalar(_pending_inputs().where(Job.input_blob == digest).limit(1)) is not None


def _pending_inputs() -> Select[Any]:
    """The staged uploads of jobs that have not ended (a queued job's file is no orphan)."""
    return select(Job.input_blob).where(
        Job.input_blob.isnot(None), Job.status.in_(("queued", "running"))
    )


def discard_unreferenced(db: Database, blobs: BlobStore, digest: str) -> bool:
    """Remove blob `digest` if nothing refers to it (under the publication lock); returns
    whether it was removed."""
    with db.write_session() as s:
        lock_name(s, f"blob:{digest}")
        if _referenced(s, digest):
            return False
        return blobs.discard(digest)


def collect_orphans(db: Database, blobs: BlobStore, *, dry_run: bool = False) -> GcResult:
    """Find (and unless `dry_run`, remove) every stored blob no version refers to."""
    with db.session() as s:
        known = set(s.scalars(select(Version.content_hash)))
        known |= {h for h in s.scalars(select(Distribution.blob_hash)) if h}
        known |= set(s.scalars(select(DatasetDocument.blob_hash)))  # attached documents
        known |= {h for h in s.scalars(_pending_inputs()) if h}  # uploads of unfinished jobs
        for column in HOLDERS:
            known |= set(s.scalars(select(column)))
    all_blobs = list(blobs.digests())
    candidates = [d for d in all_blobs if d not in known]
    if dry_run:
        return GcResult(len(all_blobs), tuple(candidates), False)
    # Each candidate is checked again under the lock: it may have been published meanwhile.
    removed = tuple(d for d in candidates if discard_unreferenced(db, blobs, d))
    return GcResult(len(all_blobs), removed, True)
