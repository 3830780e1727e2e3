"""The catalog side of `datanuri ledger audit`: every version against its ledger entry, every
dataset's access level against the last one the ledger recorded, and every version's blob.

The ledger audit (`ledger.audit`) proves the entries themselves are untouched; this one proves
the catalog still says what those entries recorded, so a hash, a row count or an access level
changed directly in the database, or a blob deleted or altered on disk, is found and named.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from datanuri.catalog import messages as M
from datanuri.catalog.models import Dataset, Version
from datanuri.errors import NotFound
from datanuri.events import (
    DatasetAccessChanged,
    DatasetDeleted,
    VersionPublished,
    VersionWithdrawn,
    version_subject,
)
from datanuri.ledger import store
from datanuri.ledger.audit import Problem
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database

PUBLISHED = VersionPublished.name
ACCESS_CHANGED = DatasetAccessChanged.name
WITHDRAWN = VersionWithdrawn.name
DELETED = DatasetDeleted.name


@dataclass
class CatalogAuditReport:
    """What the catalog audit checked and the differences it found."""

    versions: int = 0
    blobs: int = 0
    hashed: bool = False  # blob contents rehashed (`--blobs`), not only their presence and size
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.ok:
            what = M.AUDIT_HASHED if self.hashed else M.AUDIT_PRESENT
            return M.AUDIT_OK.format(versions=self.versions, blobs=self.blobs, what=what)
        return M.AUDIT_FAILED.format(count=len(self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "message": self.message,
            "versions": self.versions,
            "blobs": self.blobs,
            "hashed": self.hashed,
            "problems": [
                {"table": p.table, "row": p.row, "detail": p.detail} for p in self.problems
            ],
        }


@dataclass(frozen=True)
class _Entry:
    index: int
    type: str
    subject: str
    hashes: dict[str, Any]
    data: dict[str, Any]


@dataclass
class _Recorded:
    """What the ledger recorded that the catalog must still say."""

    size: int = 0
    versions: dict[int, _Entry] = field(default_factory=dict)  # publications by index
    levels: dict[str, tuple[int, str]] = field(default_factory=dict)  # last level, its index
    subjects: dict[str, int] = field(default_factory=dict)  # version subject -> publication
    withdrawn: dict[str, _Entry] = field(default_factory=dict)  # version subject -> withdrawal


def _recorded(db: Database) -> _Recorded:
    """The ledger's size, its version entries by index, the last access level recorded for each
    dataset (with the index that recorded it), the index of each version subject's entry, and
    each withdrawal's entry by version subject."""
    rec = _Recorded()
    versions, levels, subjects = rec.versions, rec.levels, rec.subjects
    with db.session() as s:
        rec.size = store.read_state(s, lock=False)[0]
        for row in store.iter_leaves(s):
            try:
                obj = json.loads(row.data)
            except ValueError:
                continue  # a damaged entry: the ledger audit names it
            kind, subject = obj.get("type"), str(obj.get("subject", ""))
            data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
            if kind == PUBLISHED:
                hashes = obj.get("hashes") if isinstance(obj.get("hashes"), dict) else {}
                versions[int(row.idx)] = _Entry(int(row.idx), kind, subject, hashes, data)
                subjects[subject] = int(row.idx)
                dataset = subject.removeprefix("dataset:").rpartition("@")[0]
                if "access_level" in data:
                    levels[dataset] = (int(row.idx), str(data["access_level"]))
            elif kind == ACCESS_CHANGED and "to" in data:
                levels[subject.removeprefix("dataset:")] = (int(row.idx), str(data["to"]))
            elif kind == WITHDRAWN:
                hashes = obj.get("hashes") if isinstance(obj.get("hashes"), dict) else {}
                rec.withdrawn[subject] = _Entry(int(row.idx), kind, subject, hashes, data)
            elif kind == DELETED:  # a new dataset may take the name: old levels do not bind it
                levels.pop(subject.removeprefix("dataset:"), None)
    return rec


def _check_withdrawal(
    v: Version, where: str, subjects: tuple[str, str], withdrawn: dict[str, _Entry], add: Any
) -> None:
    """A withdrawn version has its withdrawal entry, and a version the ledger recorded as
    withdrawn is not served again."""
    entry = next((withdrawn[k] for k in subjects if k in withdrawn), None)
    w = v.withdrawal
    if w is None:
        if entry is not None:
            add(Problem("versions", where, M.WITHDRAWAL_GONE.format(index=entry.index)))
        return
    if entry is None or w.ledger_index != entry.index:
        add(
            Problem(
                "version_withdrawals", where, M.WITHDRAWAL_UNRECORDED.format(index=w.ledger_index)
            )
        )
    elif entry.data.get("reason") != w.reason:
        add(Problem("version_withdrawals", where, M.WITHDRAWAL_DIFFERS.format(index=entry.index)))


def _check_version(
    v: Version, name: str, alias: str, size: int, entries: dict[int, _Entry], add: Any
) -> None:
    where = f"{name}@{v.number}"
    if v.ledger_index is None:
        add(Problem("versions", where, M.NO_ENTRY))
        return
    e = entries.get(v.ledger_index)
    if e is None:
        add(Problem("versions", where, M.ENTRY_NOT_VERSION.format(index=v.ledger_index, size=size)))
        return
    if e.subject not in (version_subject(name, v.number), version_subject(alias, v.number)):
        add(Problem("versions", where, M.ENTRY_OTHER.format(index=e.index, subject=e.subject)))
        return
    for column, got, key in (
        ("content_hash", v.content_hash, "parquet"),
        ("source_hash", v.source_hash, "source"),
    ):
        want = str(e.hashes.get(key, "")).removeprefix("sha256:")
        if got != want:
            add(
                Problem(
                    "versions",
                    where,
                    M.HASH_DIFFERS.format(column=column, got=got, want=want, index=e.index),
                )
            )
    if e.data.get("rows") != v.row_count:
        add(
            Problem(
                "versions",
                where,
                M.ROWS_DIFFER.format(got=v.row_count, want=e.data.get("rows"), index=e.index),
            )
        )
    for d in v.distributions:
        if d.blob_hash is not None and d.blob_hash != v.content_hash:
            add(
                Problem(
                    "distributions",
                    f"{where} {d.format}",
                    M.DIST_DIFFERS.format(got=d.blob_hash, want=v.content_hash),
                )
            )


def _check_blob(v: Version, where: str, blobs: BlobStore, hashed: bool, add: Any) -> None:
    digest = v.content_hash
    try:
        size = blobs.size(digest)  # the store itself (local or remote), never a cached copy
    except NotFound:  # not a digest at all: already named by the version checks
        return
    if size is None:
        add(Problem("blobs", digest, M.BLOB_MISSING.format(version=where)))
        return
    if size != v.byte_size:
        add(
            Problem(
                "blobs",
                digest,
                M.BLOB_SIZE.format(version=where, got=size, want=v.byte_size),
            )
        )
    elif hashed and (actual := blobs.stored_hash(digest)) != digest:
        add(Problem("blobs", digest, M.BLOB_CORRUPTED.format(version=where, actual=actual)))


def audit_catalog(
    db: Database,
    blobs: BlobStore,
    *,
    hash_blobs: bool,
    commitment: Callable[[str], str] | None = None,
) -> CatalogAuditReport:
    """Compare the catalog with the ledger and the blob store; `hash_blobs` rehashes every blob
    (reads all data), otherwise blobs are checked for presence and size. `commitment` gives the
    stand-in that the ledger's entries use for a hidden dataset's name (`Ledger.commit_name`)."""
    report = CatalogAuditReport(hashed=hash_blobs)
    add = report.problems.append
    rec = _recorded(db)
    size, entries, levels, subjects = rec.size, rec.versions, rec.levels, rec.subjects
    seen_subjects: set[str] = set()
    checked_blobs: set[str] = set()
    with db.session() as s:
        q = (
            select(Dataset)
            .options(selectinload(Dataset.versions).selectinload(Version.distributions))
            .order_by(Dataset.name)
        )
        for ds in s.scalars(q):
            alias = commitment(ds.name) if commitment is not None else ds.name
            recorded = [lv for lv in (levels.get(ds.name), levels.get(alias)) if lv is not None]
            want_level = max(recorded)[1] if recorded else None
            if want_level is not None and ds.access_level != want_level:
                add(
                    Problem(
                        "datasets",
                        ds.name,
                        M.LEVEL_DIFFERS.format(got=ds.access_level, want=want_level),
                    )
                )
            for v in ds.versions:
                report.versions += 1
                seen_subjects.add(version_subject(ds.name, v.number))
                seen_subjects.add(version_subject(alias, v.number))
                _check_version(v, ds.name, alias, size, entries, add)
                where = f"{ds.name}@{v.number}"
                pair = (version_subject(ds.name, v.number), version_subject(alias, v.number))
                _check_withdrawal(v, where, pair, rec.withdrawn, add)
                if v.content_hash not in checked_blobs:
                    checked_blobs.add(v.content_hash)
                    _check_blob(v, where, blobs, hash_blobs, add)
    report.blobs = len(checked_blobs)
    for subject, index in sorted(subjects.items(), key=lambda kv: kv[1]):
        if subject not in seen_subjects:
            add(
                Problem(
                    "versions",
                    subject.removeprefix("dataset:"),
                    M.VERSION_GONE.format(index=index),
                )
            )
    return report
