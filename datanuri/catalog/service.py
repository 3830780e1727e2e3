"""The catalog: organizations, datasets and their immutable versions.

`platform.catalog` is the one entry object. Every interface (REST, CLI, SDK via REST) is a thin
layer over these methods.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session, selectinload

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Organization
from datanuri.accounts.policy import DatasetAccess, check_access
from datanuri.accounts.principal import Principal
from datanuri.accounts.records import OrgInfo, org_info
from datanuri.catalog import export
from datanuri.catalog import messages as M
from datanuri.catalog.blobs import discard_unreferenced
from datanuri.catalog.models import Dataset, Distribution, Version
from datanuri.catalog.records import (
    DatasetInfo,
    VersionInfo,
    dataset_info,
    version_info,
)
from datanuri.config import Config
from datanuri.events import DatasetAccessChanged, EventSink, VersionPublished
from datanuri.jobs.runner import record_outcome
from datanuri.ledger import store as ledger_store
from datanuri.names import check_name
from datanuri.store.blobs import BlobStore, sha256_file
from datanuri.store.db import Database, lock_name, utcnow

if TYPE_CHECKING:
    from datanuri.tables import IngestResult

Progress = Callable[[int, int | None], None]
# Called inside the transaction that creates a version (after its ledger entry): what it writes
# commits with the version, and if it raises, neither the version nor its ledger entry exists.
OnPublish = Callable[[Session, Version], None]
EDITABLE_FIELDS = (
    "title",
    "description",
    "keywords",
    "theme",
    "license",
    "access_level",
    "language",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
    "metadata_public",
)
MAX_PREVIEW_ROWS = 1000
PROFILE_SAFE_KEYS = (
    "name",
    "type",
    "count",
    "nulls",
    "null_count",
    "distinct",
    "distinct_count",
    "approx_distinct",
)


def redact_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """A profile without values taken from the rows (keeps counts and types only)."""
    cols = [
        {k: c[k] for k in PROFILE_SAFE_KEYS if k in c} | {"redacted": True}
        for c in profile.get("columns", [])
    ]
    return {**{k: v for k, v in profile.items() if k != "columns"}, "columns": cols}


def dataset_access(s: Session, key: str | int) -> DatasetAccess | None:
    """The access facts of a dataset by name (str) or id (int): the `DatasetFinder` that
    `AccessControl` is given, so accounts never reads catalog tables itself."""
    ds = (
        s.get(Dataset, key)
        if isinstance(key, int)
        else s.scalar(select(Dataset).where(Dataset.name == key))
    )
    return None if ds is None else ds.as_access()


def _check_recorded(s: Session, v: Version, name: str) -> None:
    """Refuse to serve a version whose content hash is not the one its ledger entry recorded
    (the catalog row was changed outside datanuri): one primary-key read of the entry."""
    if v.ledger_index is None:
        return
    rows = ledger_store.leaf_rows(s, v.ledger_index, v.ledger_index + 1)
    try:
        recorded = json.loads(rows[0].data)["hashes"]["parquet"] if rows else None
    except (ValueError, KeyError, TypeError):
        recorded = None
    if recorded != f"sha256:{v.content_hash}":
        raise errors.IntegrityError(M.NOT_AS_RECORDED.format(name=name, version=v.number))


@dataclass(frozen=True)
class PublishResult:
    """What `publish` did: the version (new or the identical existing one) and a message."""

    version: VersionInfo
    created: bool
    message: str
    problems: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version.to_dict(),
            "created": self.created,
            "message": self.message,
            "problems": list(self.problems),
        }


class CatalogService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        events: EventSink,
        access: AccessControl,
        config: Config,
    ) -> None:
        self.db = db
        self.access = access
        self.blobs = blobs
        self.events = events
        self.config = config
        # Called with a dataset name after each committed change (search index, caches...).
        self.listeners: list[Callable[[str], None]] = []

    def _changed(self, name: str) -> None:
        for listener in self.listeners:
            listener(name)

    # ----- organizations -------------------------------------------------------------------
    def list_organizations(self) -> list[OrgInfo]:
        with self.db.session() as s:
            counts = dict(
                s.execute(
                    select(Dataset.organization_id, func.count()).group_by(Dataset.organization_id)
                ).all()
            )
            return [
                org_info(o, counts.get(o.id, 0))
                for o in s.scalars(select(Organization).order_by(Organization.name))
            ]

    def get_organization(self, name: str) -> OrgInfo:
        with self.db.session() as s:
            org = self._org(s, name)
            count = (
                s.scalar(
                    select(func.count())
                    .select_from(Dataset)
                    .where(Dataset.organization_id == org.id)
                )
                or 0
            )
            return org_info(org, count)

    # ----- datasets ------------------------------------------------------------------------
    def create_dataset(
        self,
        name: str,
        *,
        organization: str,
        title: str | None = None,
        principal: Principal,
        **fields: Any,
    ) -> DatasetInfo:
        check_name(name, "dataset")
        fields = self._clean_fields(fields)
        try:
            with self.db.session() as s:
                org = self._org(s, organization)
                self.access.require(s, principal, "create_dataset", org=organization)
                ds = Dataset(name=name, organization=org, title=(title or name).strip(), **fields)
                s.add(ds)
                s.flush()
                s.refresh(ds, ["versions"])
                info = dataset_info(ds)
        except SAIntegrityError as exc:
            raise errors.Conflict(
                f"A dataset named {name!r} already exists. Pick another name or publish a new version."
            ) from exc
        self._changed(name)
        return info

    def discard_empty_dataset(self, name: str, *, principal: Principal) -> bool:
        """Delete dataset `name` if it never got a version (undoing a create whose first publish
        failed); returns whether it was deleted. A dataset with versions is never deleted."""
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == name).with_for_update())
            if ds is None or ds.versions:
                return False
            self.access.require(s, principal, "publish", dataset=ds.as_access())
            s.delete(ds)
        self._changed(name)
        return True

    def update_dataset(self, name: str, *, principal: Principal, **fields: Any) -> DatasetInfo:
        """Change a dataset's metadata. A change of access level is recorded as an event first."""
        fields = self._clean_fields(fields)
        with self.db.session() as s:
            ds = self._dataset(s, name, lock=True, principal=principal)
            self.access.require(s, principal, "publish", dataset=ds.as_access())
            old_access = ds.access_level
            new_access = fields.get("access_level", old_access)
            if old_access == "personal" and new_access != "personal":
                # trust rule 1: personal rows leave the holder only through a release that passed
                raise errors.PermissionDenied(
                    errors.MSG_PERSONAL_ACCESS.format(name=name, to=new_access)
                )
            for key, value in fields.items():
                setattr(ds, key, value)
            if "access_level" in fields and fields["access_level"] != old_access:
                self.events.record(
                    s,
                    DatasetAccessChanged(
                        actor=principal.ref,
                        time=utcnow(),
                        dataset=name,
                        old_level=old_access,
                        new_level=fields["access_level"],
                    ),
                )
            ds.updated_at = utcnow()
            s.flush()
            info = dataset_info(ds)
        self._changed(name)
        return info

    def list_datasets(
        self, *, organization: str | None = None, principal: Principal
    ) -> list[DatasetInfo]:
        with self.db.session() as s:
            q = select(Dataset).options(
                selectinload(Dataset.versions).selectinload(Version.distributions),
                selectinload(Dataset.organization),
            )
            if organization:
                q = q.where(Dataset.organization_id == self._org(s, organization).id)
            return [
                dataset_info(d)
                for d in s.scalars(q.order_by(Dataset.name))
                if self.access.can(s, principal, "read_metadata", dataset=d.as_access())
            ]

    def get_dataset(self, name: str, *, principal: Principal) -> DatasetInfo:
        with self.db.session() as s:
            return dataset_info(self._dataset(s, name, principal=principal))

    def check_can_publish(self, name: str, principal: Principal) -> None:
        """Raise unless `principal` may publish to dataset `name` (used before accepting an upload)."""
        with self.db.session() as s:
            self.access.require(
                s,
                principal,
                "publish",
                dataset=self._dataset(s, name, principal=principal).as_access(),
            )

    # ----- versions ------------------------------------------------------------------------
    def publish(
        self,
        name: str,
        source: Path,
        *,
        filename: str | None = None,
        change_note: str = "",
        mode: Literal["strict", "lenient"] = "lenient",
        format: str = "auto",
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
        principal: Principal,
        progress: Progress | None = None,
        on_publish: OnPublish | None = None,
    ) -> PublishResult:
        """Ingest a file and publish it as the dataset's next version.

        The file is read, typed and profiled into canonical Parquet first; only then, in one
        transaction, the version row and its ledger entry are written, and `on_publish(session,
        version)` is called in that transaction (not when identical content makes no new
        version). Any failure leaves the catalog unchanged.
        """
        from datanuri.tables import Limits, ingest

        source = Path(source)
        filename = filename or source.name
        self.check_can_publish(name, principal)  # fail fast, before the heavy work
        out = self.blobs.temp_path(".parquet")
        try:
            result = ingest(
                source,
                out,
                filename=filename,
                format=format,  # type: ignore[arg-type]
                encoding=encoding,
                delimiter=delimiter,
                sheet=sheet,
                mode=mode,
                limits=Limits(
                    max_cell_bytes=self.config.max_cell_bytes,
                    max_xlsx_uncompressed_bytes=self.config.max_xlsx_uncompressed_bytes,
                    batch_rows=self.config.batch_rows,
                ),
                progress=progress,
            )
            content_hash = sha256_file(out)
            source_hash = sha256_file(source)
            problems = [p.__dict__ for p in result.problems]
            with self.db.session() as s:  # identical content: answer without taking the lock
                ds = self._dataset(s, name, principal=principal)
                same = next((v for v in ds.versions if v.content_hash == content_hash), None)
                if same is not None:
                    msg = errors.MSG_SAME_CONTENT.format(version=same.number, name=name)
                    return PublishResult(version_info(same, name), False, msg, tuple(problems))
            byte_size = out.stat().st_size
            self.blobs.sync(out)  # the slow part of storing it, before taking the lock
            new_blob = False
            try:
                # One writer at a time per dataset (SQLite: the database write lock from the
                # first statement; PostgreSQL: the dataset row), and per blob digest, so the
                # number read here is still the latest when the version is written.
                with self.db.write_session() as s:
                    ds = self._dataset(s, name, lock=True, principal=principal)
                    self.access.require(s, principal, "publish", dataset=ds.as_access())
                    same = next((v for v in ds.versions if v.content_hash == content_hash), None)
                    if same is not None:  # the same file published meanwhile
                        msg = errors.MSG_SAME_CONTENT.format(version=same.number, name=name)
                        return PublishResult(version_info(same, name), False, msg, tuple(problems))
                    number = (max((v.number for v in ds.versions), default=0)) + 1
                    lock_name(s, f"blob:{content_hash}")
                    new_blob = not self.blobs.exists(content_hash)
                    self.blobs.put_staged(out, content_hash)  # a rename
                    info = self._write_version(
                        s,
                        ds,
                        number,
                        result,
                        content_hash=content_hash,
                        source_hash=source_hash,
                        byte_size=byte_size,
                        filename=filename,
                        change_note=change_note,
                        problems=problems,
                        principal=principal,
                        on_publish=on_publish,
                    )
            except BaseException as exc:
                if new_blob:  # nothing refers to the blob this attempt stored: remove it
                    discard_unreferenced(self.db, self.blobs, content_hash)
                if isinstance(exc, SAIntegrityError):  # never SQL in an answer
                    raise errors.Conflict(M.NUMBER_TAKEN.format(name=name)) from exc
                raise
            self._changed(name)
            msg = f"Published {name!r} version {number}: {result.rows:,} rows, {len(result.columns)} columns."
            if result.problem_count:
                msg += f" {result.problem_count} row problem(s) were kept as text or null; see the report."
            return PublishResult(info, True, msg, tuple(problems))
        finally:
            out.unlink(missing_ok=True)

    def _write_version(
        self,
        s: Session,
        ds: Dataset,
        number: int,
        result: IngestResult,
        *,
        content_hash: str,
        source_hash: str,
        byte_size: int,
        filename: str,
        change_note: str,
        problems: list[dict[str, Any]],
        principal: Principal,
        on_publish: OnPublish | None,
    ) -> VersionInfo:
        """In the caller's transaction: the version and distribution rows, its ledger entry, the
        `on_publish` hook and the running job's outcome (all commit together or not at all)."""
        name = ds.name
        v = Version(
            dataset=ds,
            number=number,
            content_hash=content_hash,
            source_hash=source_hash,
            source_name=filename,
            source_format=result.format,
            source_encoding=result.encoding,
            byte_size=byte_size,
            row_count=result.rows,
            schema=result.schema,
            profile=result.profile,
            problems={"count": result.problem_count, "items": problems},
            change_note=change_note,
            published_by=principal.ref,
        )
        v.distributions = [
            Distribution(
                format="parquet",
                media_type=export.FORMATS["parquet"],
                blob_hash=content_hash,
                byte_size=byte_size,
            ),
            Distribution(format="csv", media_type=export.FORMATS["csv"]),
            Distribution(format="json", media_type=export.FORMATS["json"]),
        ]
        s.add(v)
        s.flush()
        v.ledger_index = self.events.record(
            s,
            VersionPublished(
                actor=principal.ref,
                time=v.created_at,
                dataset=name,
                version=number,
                parquet_sha256=content_hash,
                source_sha256=source_hash,
                rows=result.rows,
                access_level=ds.access_level,
            ),
        )
        ds.updated_at = utcnow()
        s.flush()
        if on_publish is not None:
            on_publish(s, v)
            s.flush()
        info = version_info(v, name)
        # A job killed after this commits is found succeeded on recovery, with this outcome.
        record_outcome(
            s,
            {
                "version": info.to_dict(),
                "created": True,
                "message": M.PUBLISHED_RECOVERED.format(name=name, version=number),
                "problems": [],
            },
        )
        return info

    def get_version(
        self, name: str, number: int | None = None, *, principal: Principal
    ) -> VersionInfo:
        with self.db.session() as s:
            return version_info(self._version(s, name, number, principal), name)

    def version_detail(
        self, name: str, number: int | None = None, *, principal: Principal
    ) -> dict[str, Any]:
        """Schema, profile and row problems of a version."""
        with self.db.session() as s:
            v = self._version(s, name, number, principal)
            if v.dataset.access_level == "personal" and not self.access.can(
                s, principal, "publish", dataset=v.dataset.as_access()
            ):
                # Values in a profile (top values, min/max) and in row problems are raw personal data.
                return {
                    "schema": v.schema,
                    "profile": redact_profile(v.profile),
                    "problems": {"count": v.problems.get("count", 0), "items": []},
                }
            return {"schema": v.schema, "profile": v.profile, "problems": v.problems}

    def parquet_path(
        self,
        name: str,
        number: int | None = None,
        *,
        principal: Principal,
        purpose: str = "read",
    ) -> Path:
        """The verified canonical Parquet file of a version, if `principal` may read its rows.

        Every attempt, allowed or refused, goes to the access log.
        """
        with self.db.session() as s:
            v = self._version(s, name, number, principal)
            allowed = self.access.can(s, principal, "read_rows", dataset=v.dataset.as_access())
            self.access.log(principal, v.dataset.as_access(), v.number, purpose, allowed)
            if not allowed:
                self.access.require(s, principal, "read_rows", dataset=v.dataset.as_access())
            digest = v.content_hash
            _check_recorded(s, v, name)
        return self.blobs.verify(digest)

    def preview(
        self,
        name: str,
        number: int | None = None,
        *,
        offset: int = 0,
        limit: int = 100,
        principal: Principal,
    ) -> pa.Table:
        if offset < 0 or limit < 1:
            raise errors.InvalidInput("Preview needs offset ≥ 0 and limit ≥ 1.")
        limit = min(limit, MAX_PREVIEW_ROWS)
        return export.read_slice(
            self.parquet_path(name, number, principal=principal, purpose="preview"), offset, limit
        )

    def download(
        self,
        name: str,
        number: int | None = None,
        *,
        format: str = "parquet",
        principal: Principal,
    ) -> Iterator[bytes]:
        """Stream a version in `format` (Parquet as stored; CSV and JSON made batch by batch)."""
        export.check_format(format)
        path = self.parquet_path(name, number, principal=principal, purpose=f"download:{format}")
        return export.stream(path, format, batch_rows=self.config.batch_rows)

    # ----- helpers -------------------------------------------------------------------------
    def _clean_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
        if unknown:
            raise errors.InvalidInput(
                f"Unknown dataset field(s): {', '.join(unknown)}. Known: {', '.join(EDITABLE_FIELDS)}."
            )
        out = {k: v for k, v in fields.items() if v is not None}
        if "access_level" in out:
            check_access(out["access_level"])
        if "keywords" in out:
            kw = out["keywords"]
            if isinstance(kw, str):
                kw = [k for k in (x.strip() for x in kw.split(",")) if k]
            out["keywords"] = [str(k) for k in kw]
        if "title" in out and not str(out["title"]).strip():
            raise errors.InvalidInput("A dataset title cannot be empty.")
        for key in ("title", "theme", "license", "spatial", "contact_name", "contact_email"):
            if key in out and len(str(out[key])) > 300:
                raise errors.InvalidInput(
                    f"The {key} is too long ({len(str(out[key]))} characters); keep it under 300."
                )
        return out

    def _org(self, s: Session, name: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=name))
        return org

    def _dataset(
        self, s: Session, name: str, *, lock: bool = False, principal: Principal
    ) -> Dataset:
        """The dataset, if `principal` may see it at all (else "not found", so nothing leaks)."""
        q = select(Dataset).where(Dataset.name == name)
        if lock:
            q = q.with_for_update()
        ds = s.scalar(q)
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        return ds

    def _version(self, s: Session, name: str, number: int | None, principal: Principal) -> Version:
        ds = self._dataset(s, name, principal=principal)
        if not ds.versions:
            raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=name))
        if number is None:
            return ds.versions[-1]
        for v in ds.versions:
            if v.number == number:
                return v
        raise errors.NotFound(
            errors.MSG_VERSION_NOT_FOUND.format(
                name=name, version=number, latest=ds.versions[-1].number
            )
        )
