"""The catalog: organizations, datasets and their immutable versions.

`platform.catalog` is the one entry object. Every interface (REST, CLI, SDK via REST) is a thin
layer over these methods.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.orm import Session, selectinload

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Organization
from datanuri.accounts.policy import DatasetAccess, hidden_from_public
from datanuri.accounts.principal import Principal
from datanuri.accounts.records import OrgInfo, org_info
from datanuri.catalog import messages as M
from datanuri.catalog.blobs import discard_unreferenced
from datanuri.catalog.counts import bump_by_name
from datanuri.catalog.fields import check_period, check_text, clean_fields, clean_title
from datanuri.catalog.guards import (
    PROFILE_SAFE_KEYS,
    CopyMaker,
    PublishClearance,
    PublishGuard,
    PublishRequest,
    is_screened,
    screen_problems,
    screen_profile,
)
from datanuri.catalog.models import Dataset, Distribution, Version, Withdrawal
from datanuri.catalog.outcome import published_message
from datanuri.catalog.profile_redaction import SCREENED_LEVELS, withhold_row_like
from datanuri.catalog.records import (
    DatasetInfo,
    VersionInfo,
    dataset_info,
    version_info,
)
from datanuri.config import Config
from datanuri.events import (
    DatasetAccessChanged,
    DatasetDeleted,
    EventSink,
    VersionPublished,
    VersionWithdrawn,
)
from datanuri.jobs.runner import record_outcome
from datanuri.ledger import store as ledger_store
from datanuri.names import check_name
from datanuri.store.blobs import BlobStore, sha256_file
from datanuri.store.db import Database, lock_name, utcnow

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from datanuri.tables import IngestResult

Progress = Callable[[int, int | None], None]
# Called inside the transaction that creates a version (after its ledger entry): what it writes
# commits with the version, and if it raises, neither the version nor its ledger entry exists.
OnPublish = Callable[[Session, Version], None]
MAX_PREVIEW_ROWS = 1000
SCREEN_CACHE = 256  # read-time screenings of unscreened personal versions kept, by content hash


def redact_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """A profile without values taken from the rows (keeps counts and types only)."""
    cols = [
        {k: c[k] for k in PROFILE_SAFE_KEYS if k in c} | {"redacted": True}
        for c in profile.get("columns", [])
    ]
    out = {**{k: v for k, v in profile.items() if k != "columns"}, "columns": cols}
    if isinstance(profile.get("coverage"), dict):  # the regions in the rows: their 시도 only
        from datanuri.tables.coverage import sido_coverage  # the ingest engine, when needed

        out["coverage"] = sido_coverage(profile["coverage"])
    return out


def _column_names(profile: dict[str, Any]) -> list[str]:
    return [str(c.get("name")) for c in profile.get("columns", [])]


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


def _refuse_withdrawn(v: Version, name: str) -> None:
    """A withdrawn version's rows (and values taken from them) are served to nobody."""
    if v.withdrawal is not None:
        raise errors.Gone(
            M.WITHDRAWN.format(name=name, version=v.number, reason=v.withdrawal.reason)
        )


@dataclass(frozen=True)
class PublishResult:
    """What `publish` did: the version (new or the identical existing one) and a message."""

    version: VersionInfo
    created: bool
    message: str
    problems: tuple[dict[str, Any], ...] = ()
    message_ko: str | None = None
    outcome: dict[str, Any] | None = None  # tables.RowOutcome.to_dict(): rows left out, cells kept

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version.to_dict(),
            "created": self.created,
            "message": self.message,
            "message_ko": self.message_ko or self.message,
            "problems": list(self.problems),
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class NewDataset:
    """The dataset a first publish creates, in the same transaction as its first version, so a
    publish that fails or is killed leaves no empty dataset behind. `fields` are the metadata
    fields `create_dataset` takes (description, keywords, theme, license, access_level...)."""

    organization: str
    title: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)


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
        # Asked before content becomes a version (platform.py gives the privacy detection guard).
        self.guard: PublishGuard | None = None
        # Makes a recipient's own copy on download (platform.py gives the market's fingerprints).
        self.copies: CopyMaker | None = None
        self._screens: dict[str, frozenset[str]] = {}
        self._screens_lock = threading.Lock()

    def _changed(self, name: str) -> None:
        for listener in self.listeners:
            listener(name)

    # ----- organizations -------------------------------------------------------------------
    @staticmethod
    def _public_counts(s: Session, org_id: int | None = None) -> dict[int, int]:
        """Datasets per organisation that the public finds listed: hidden ones, drafts and ones
        whose versions were all withdrawn are not counted."""
        q = select(Dataset).options(selectinload(Dataset.versions))
        if org_id is not None:
            q = q.where(Dataset.organization_id == org_id)
        counts: dict[int, int] = {}
        for d in s.scalars(q):
            if d.listed and not hidden_from_public(d.access_level, d.metadata_public):
                counts[d.organization_id] = counts.get(d.organization_id, 0) + 1
        return counts

    def list_organizations(self) -> list[OrgInfo]:
        """Every organisation, with its public dataset count."""
        with self.db.session() as s:
            counts = self._public_counts(s)
            return [
                org_info(o, counts.get(o.id, 0))
                for o in s.scalars(select(Organization).order_by(Organization.name))
            ]

    def get_organization(self, name: str) -> OrgInfo:
        """One organisation, with its public dataset count."""
        with self.db.session() as s:
            org = self._org(s, name)
            return org_info(org, self._public_counts(s, org.id).get(org.id, 0))

    # ----- datasets ------------------------------------------------------------------------
    def create_dataset(
        self,
        name: str,
        *,
        organization: str,
        title: str | None = None,
        principal: Principal,
        draft: bool = False,
        **fields: Any,
    ) -> DatasetInfo:
        """A new dataset; a `draft` is seen only by its editors until its first version."""
        check_name(name, "dataset")
        fields = clean_fields(fields)
        title = clean_title(title, name)
        try:
            with self.db.session() as s:
                org = self._org(s, organization)
                self.access.require(s, principal, "create_dataset", org=organization)
                ds = Dataset(name=name, organization=org, title=title, draft=draft, **fields)
                s.add(ds)
                s.flush()
                s.refresh(ds, ["versions"])
                info = dataset_info(ds)
        except SAIntegrityError as exc:
            raise self._name_taken(name, principal) from exc
        self._changed(name)
        return info

    def _name_taken(self, name: str, principal: Principal) -> errors.Conflict:
        """The Conflict for a dataset name in use: "exists" only to whoever may know it does."""
        with self.db.session() as s:
            taken = dataset_access(s, name)
            seen = taken is None or self.access.can(s, principal, "read_metadata", dataset=taken)
        msg = errors.MSG_DATASET_EXISTS if seen else errors.MSG_NAME_UNAVAILABLE
        return errors.Conflict(msg.format(name=name))

    def _check_new(self, name: str, new: NewDataset, principal: Principal) -> NewDataset:
        """`new` with its fields cleaned, if `principal` may create dataset `name` in its
        organisation and the name is free (checked again when the dataset is written)."""
        check_name(name, "dataset")
        cleaned = NewDataset(
            organization=new.organization,
            title=clean_title(new.title, name),
            fields=clean_fields(dict(new.fields)),
        )
        with self.db.session() as s:
            self._org(s, new.organization)
            self.access.require(s, principal, "create_dataset", org=new.organization)
            exists = s.scalar(select(Dataset.id).where(Dataset.name == name)) is not None
        if exists:
            raise self._name_taken(name, principal)
        return cleaned

    def _create_in(self, s: Session, name: str, new: NewDataset, principal: Principal) -> Dataset:
        """In the publishing transaction: the new dataset's row (its first version follows)."""
        org = self._org(s, new.organization)
        self.access.require(s, principal, "create_dataset", org=new.organization)
        ds = Dataset(name=name, organization=org, title=new.title or name, **new.fields)
        s.add(ds)
        s.flush()
        s.refresh(ds, ["versions"])
        return ds

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

    def delete_dataset(self, name: str, *, principal: Principal) -> None:
        """Delete a dataset that never had a version (its editors only); recorded in the ledger,
        so access levels recorded under the name before do not bind a new dataset of that name."""
        try:
            with self.db.write_session() as s:
                ds = self._dataset(s, name, lock=True, principal=principal)
                self.access.require(s, principal, "publish", dataset=ds.as_access())
                if ds.versions:
                    raise errors.Conflict(M.DELETE_HAS_VERSIONS.format(name=name))
                self.events.record(
                    s, DatasetDeleted(actor=principal.ref, time=utcnow(), dataset=name)
                )
                s.delete(ds)
                s.flush()
        except SAIntegrityError as exc:  # e.g. entitlements granted on it
            raise errors.Conflict(M.DELETE_REFERENCED.format(name=name)) from exc
        self._changed(name)

    def withdraw_version(
        self, name: str, number: int, *, reason: str, principal: Principal
    ) -> VersionInfo:
        """Withdraw a published version with a reason (its dataset's editors only): from then on
        its rows are served to nobody and the dataset's latest version is the newest one left.
        The withdrawal is recorded in the ledger in the same transaction; the version row, its
        publication entry and its blob stay, so the audit still proves what was published."""
        reason = check_text(reason, "reason").strip()
        if not reason:
            raise errors.InvalidInput(M.WITHDRAW_NEEDS_REASON)
        with self.db.write_session() as s:
            ds = self._dataset(s, name, lock=True, principal=principal)
            self.access.require(s, principal, "publish", dataset=ds.as_access())
            v = next((v for v in ds.versions if v.number == number), None)
            if v is None:
                raise errors.NotFound(
                    errors.MSG_VERSION_NOT_FOUND.format(
                        name=name,
                        version=number,
                        latest=ds.versions[-1].number if ds.versions else "-",
                    )
                )
            if v.withdrawal is not None:
                raise errors.Conflict(M.ALREADY_WITHDRAWN.format(name=name, version=number))
            w = Withdrawal(
                version=v, reason=reason, withdrawn_by=principal.ref, withdrawn_at=utcnow()
            )
            s.add(w)
            s.flush()
            w.ledger_index = self.events.record(
                s,
                VersionWithdrawn(
                    actor=principal.ref,
                    time=w.withdrawn_at,
                    dataset=name,
                    version=number,
                    parquet_sha256=v.content_hash,
                    reason=reason,
                ),
            )
            ds.updated_at = utcnow()
            s.flush()
            info = version_info(v, name)
        self._changed(name)
        return info

    def update_dataset(self, name: str, *, principal: Principal, **fields: Any) -> DatasetInfo:
        """Change a dataset's metadata. A change of access level is recorded as an event first."""
        fields = clean_fields(fields)
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
            check_period(ds.temporal_start, ds.temporal_end)  # one given, the other stored
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

    def set_column_note(
        self, name: str, column: str, note: dict[str, Any], *, principal: Principal
    ) -> DatasetInfo:
        """Describe one column of a dataset (description, unit, code table); an empty note
        removes it. Notes are the dataset's, carried to every version (catalog/columns.py)."""
        from datanuri.catalog.columns import clean_note, merge_notes

        column = check_text(column, "column").strip()
        cleaned = clean_note(column, note)
        with self.db.session() as s:
            ds = self._dataset(s, name, lock=True, principal=principal)
            self.access.require(s, principal, "publish", dataset=ds.as_access())
            known = {str(f.get("name")) for v in ds.versions for f in v.schema.get("fields", [])}
            if column not in known and column not in (ds.column_notes or {}):
                raise errors.NotFound(M.NO_SUCH_COLUMN.format(name=name, column=column))
            ds.column_notes = merge_notes(ds.column_notes, column, cleaned)
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
                and (d.listed or self.access.can(s, principal, "publish", dataset=d.as_access()))
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
        header_row: int | None = None,
        skip_rows: int | None = None,
        keep_totals: bool = False,
        principal: Principal,
        progress: Progress | None = None,
        on_publish: OnPublish | None = None,
        override_reason: str | None = None,
        release: object | None = None,
        new: NewDataset | None = None,
    ) -> PublishResult:
        """Ingest a file and publish it as the dataset's next version.

        With `new`, the dataset does not exist yet: it is created in the transaction that writes
        its first version (a Conflict if the name was taken meanwhile).

        The file is read, typed and profiled into canonical Parquet first, then checked: content
        identical to a version of a personal dataset never goes into an open or restricted one,
        and the publish guard (identifier detection) must clear it (`override_reason`: the
        holder's owner overriding a false detection; `release`: the ticket a passing privacy
        release carries). Only then, in one transaction, the guard's event, the version row and
        its ledger entry are written, and `on_publish(session, version)` is called in that
        transaction (not when identical content makes no new version). Any failure leaves the
        catalog unchanged. The profile of a personal dataset is stored without the values of
        the columns the guard withholds. `header_row`/`skip_rows` name the header of a CSV or
        XLSX with title rows (detected otherwise); `keep_totals` keeps 합계/소계 rows.
        """
        from datanuri.tables import Limits, ingest

        source = Path(source)
        filename = check_text(filename or source.name, "filename")
        change_note = check_text(change_note, "change_note")
        if new is not None:
            new = self._check_new(name, new, principal)  # fail fast, before the heavy work
        else:
            self.check_can_publish(name, principal)
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
                header_row=header_row,
                skip_rows=skip_rows,
                keep_totals=keep_totals,
                mode=mode,
                limits=Limits(
                    max_cell_bytes=self.config.max_cell_bytes,
                    max_columns=self.config.max_columns,
                    max_xlsx_uncompressed_bytes=self.config.max_xlsx_uncompressed_bytes,
                    batch_rows=self.config.batch_rows,
                ),
                progress=progress,
            )
            content_hash = sha256_file(out)
            source_hash = sha256_file(source)
            problems = [p.__dict__ for p in result.problems]
            with self.db.session() as s:  # identical content: answer without taking the lock
                if new is None:
                    ds = self._dataset(s, name, principal=principal)
                    same = next((v for v in ds.versions if v.content_hash == content_hash), None)
                    if same is not None:
                        msg = errors.MSG_SAME_CONTENT.format(version=same.number, name=name)
                        return PublishResult(version_info(same, name), False, msg, tuple(problems))
                    level, org = ds.access_level, ds.organization.name
                else:
                    level, org = str(new.fields.get("access_level") or "open"), new.organization
                if level != "personal":
                    self._refuse_personal_copy(s, name, level, content_hash, source_hash)
            clearance = self._clear(
                PublishRequest(
                    dataset=name,
                    organization=org,
                    access_level=level,
                    parquet=out,
                    content_hash=content_hash,
                    principal=principal,
                    override_reason=override_reason,
                    release=release,
                )
            )
            profile = result.profile
            problem_record: dict[str, Any] = {"count": result.problem_count, "items": problems}
            if clearance.withhold_values is not None:
                profile = screen_profile(
                    profile, clearance.withhold_values, by=clearance.screened_by
                )
                problem_record = screen_problems(problem_record, clearance.withhold_values)
            byte_size = out.stat().st_size
            self.blobs.sync(out)  # the slow part of storing it, before taking the lock
            new_blob = False
            try:
                # One writer at a time per dataset (SQLite: the database write lock from the
                # first statement; PostgreSQL: the dataset row), and per blob digest, so the
                # number read here is still the latest when the version is written.
                with self.db.write_session() as s:
                    if new is not None:
                        ds = self._create_in(s, name, new, principal)
                    else:
                        ds = self._dataset(s, name, lock=True, principal=principal)
                    self.access.require(s, principal, "publish", dataset=ds.as_access())
                    if ds.access_level != level:  # the guard's answer was for the level it saw
                        raise errors.Conflict(
                            errors.MSG_LEVEL_CHANGED_DURING_PUBLISH.format(
                                name=name, checked=level, now=ds.access_level
                            )
                        )
                    same = next((v for v in ds.versions if v.content_hash == content_hash), None)
                    if same is not None:  # the same file published meanwhile
                        msg = errors.MSG_SAME_CONTENT.format(version=same.number, name=name)
                        return PublishResult(version_info(same, name), False, msg, tuple(problems))
                    number = (max((v.number for v in ds.versions), default=0)) + 1
                    lock_name(s, f"blob:{content_hash}")
                    new_blob = not self.blobs.exists(content_hash)
                    self.blobs.put_staged(out, content_hash)  # a rename
                    if clearance.event is not None:  # recorded before the version exists
                        self.events.record(s, clearance.event)
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
                        profile=profile,
                        problems=problem_record,
                        principal=principal,
                        on_publish=on_publish,
                    )
            except BaseException as exc:
                if new_blob:  # nothing refers to the blob this attempt stored: remove it
                    discard_unreferenced(self.db, self.blobs, content_hash)
                if isinstance(exc, SAIntegrityError):  # never SQL in an answer
                    if new is not None:
                        raise self._name_taken(name, principal) from exc
                    raise errors.Conflict(M.NUMBER_TAKEN.format(name=name)) from exc
                raise
            self._changed(name)
            ko, en = published_message(name, number, result)
            return PublishResult(
                info,
                True,
                en,
                tuple(problem_record["items"]),
                message_ko=ko,
                outcome=result.outcome.to_dict(),
            )
        finally:
            out.unlink(missing_ok=True)

    def _refuse_personal_copy(
        self, s: Session, name: str, level: str, content_hash: str, source_hash: str
    ) -> None:
        """Raise if the content (or its source file) is that of a version of a personal dataset:
        such content never becomes open or restricted, override or release or not."""
        hit = s.execute(
            select(Dataset.name, Version.number)
            .join(Version, Version.dataset_id == Dataset.id)
            .where(Dataset.access_level == "personal")
            .where((Version.content_hash == content_hash) | (Version.source_hash == source_hash))
            .limit(1)
        ).first()
        if hit is not None:
            raise errors.PermissionDenied(
                errors.MSG_PERSONAL_COPY.format(
                    version=hit[1], personal=hit[0], level=level, name=name
                )
            )

    def _clear(self, request: PublishRequest) -> PublishClearance:
        """The guard's clearance (it raises to refuse); without a guard, only personal profiles
        are screened, and then all their values are withheld."""
        if self.guard is not None:
            return self.guard.check(request)
        if request.access_level == "personal":
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            names = pq.read_schema(request.parquet).names
            return PublishClearance(withhold_values=frozenset(names), screened_by="no guard")
        return PublishClearance()

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
        profile: dict[str, Any],
        problems: dict[str, Any],
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
            profile=profile,
            problems=problems,
            change_note=change_note,
            published_by=principal.ref,
        )
        from datanuri.catalog import export  # pyarrow: imported by the commands that use it

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
        ds.draft = False  # its first version makes a draft a listed dataset
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
        """Schema, profile and row problems of a version.

        For a personal dataset, the values of identifier and quasi-identifier columns (top
        values, min/max, quantiles, histograms, problem cells) are shown to nobody: they were
        left out when the version was stored, or, for versions stored before that, are withheld
        here for every column detection cannot clear. Callers who are not its editors see no
        values at all. For restricted and personal datasets, callers who may not read the rows
        see no values of row-like columns (`profile_redaction`: mostly distinct, or exact
        timestamps) and no cells in row problems."""
        with self.db.session() as s:
            v = self._version(s, name, number, principal)
            _refuse_withdrawn(v, name)  # a profile holds values from the rows
            if v.dataset.access_level != "personal":
                if v.dataset.access_level in SCREENED_LEVELS and not self.access.can(
                    s, principal, "read_rows", dataset=v.dataset.as_access()
                ):  # values of single rows, and cells in row problems, are rows
                    return {
                        "schema": v.schema,
                        "profile": withhold_row_like(v.profile),
                        "problems": screen_problems(v.problems, _column_names(v.profile)),
                    }
                return {"schema": v.schema, "profile": v.profile, "problems": v.problems}
            if not self.access.can(s, principal, "publish", dataset=v.dataset.as_access()):
                # Values in a profile (top values, min/max) and in row problems are raw personal data.
                return {
                    "schema": v.schema,
                    "profile": redact_profile(v.profile),
                    "problems": {"count": v.problems.get("count", 0), "items": []},
                }
            schema, profile, problems = v.schema, v.profile, v.problems
            digest = v.content_hash
        if not is_screened(profile):
            withhold = self._withheld_at_read(digest, profile)
            profile = screen_profile(profile, withhold, by="detection at read time")
            problems = screen_problems(problems, withhold)
        else:
            problems = screen_problems(problems, profile["value_screen"].get("withheld", []))
        if isinstance(profile.get("coverage"), dict):  # regions found in personal rows: 시도 only
            from datanuri.tables.coverage import sido_coverage

            profile = {**profile, "coverage": sido_coverage(profile["coverage"])}
        # no one reads a personal dataset's rows: values of single rows are withheld too
        return {"schema": schema, "profile": withhold_row_like(profile), "problems": problems}

    def _withheld_at_read(self, digest: str, profile: dict[str, Any]) -> frozenset[str]:
        """Columns of an unscreened personal version whose values may not be shown: those the
        guard's detection cannot clear, or all of them without a guard (or if detection fails)."""
        everything = frozenset(str(c.get("name")) for c in profile.get("columns", []))
        if self.guard is None:
            return everything
        if digest not in self._screens:
            try:
                found = self.guard.withheld_columns(self.blobs.local_path(digest))
            except errors.DatanuriError:
                return everything
            with self._screens_lock:  # request threads share the cache
                if len(self._screens) >= SCREEN_CACHE:
                    self._screens.pop(next(iter(self._screens)))
                self._screens[digest] = found
            return found
        return self._screens.get(digest, everything)

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
        return self._readable(name, number, principal, purpose)[0]

    def _readable(
        self, name: str, number: int | None, principal: Principal, purpose: str
    ) -> tuple[Path, DatasetAccess, int]:
        """`parquet_path` with the dataset's access facts and the version's number."""
        refused: errors.DatanuriError | None = None
        with self.db.session() as s:
            v = self._version(s, name, number, principal)
            _refuse_withdrawn(v, name)
            access, version = v.dataset.as_access(), v.number
            allowed = self.access.can(s, principal, "read_rows", dataset=access)
            try:
                if not allowed:
                    self.access.require(s, principal, "read_rows", dataset=access)
                digest = v.content_hash
                _check_recorded(s, v, name)
            except errors.DatanuriError as exc:
                refused = exc
        # Logged in its own transaction once this one's connection is back in the pool: a
        # request that held one pooled connection while asking for a second would, with as many
        # such requests as the pool has connections, wait on the others until the pool timed out
        # (found by benchmarks/soak.py; tests/catalog/test_pool_nesting.py).
        self.access.log(principal, access, version, purpose, allowed)
        if refused is not None:
            raise refused
        return self.blobs.local_path(digest), access, version  # verified; cached if remote

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
        from datanuri.catalog import export

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
        from datanuri.catalog import export

        export.check_format(format)
        path, access, version = self._readable(name, number, principal, f"download:{format}")
        copy = None
        if self.copies is not None:  # a recipient's own (fingerprinted) copy, recorded first
            copy = self.copies.copy_for(principal, access, version, path, format)
        with self.db.session() as s:  # the dataset's download count (catalog/counts.py)
            bump_by_name(s, name, downloads=1)
        if copy is None:
            return export.stream(path, format, batch_rows=self.config.batch_rows)
        try:
            chunks = export.stream(copy, format, batch_rows=self.config.batch_rows)
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
        return _removing(chunks, copy)

    # ----- helpers -------------------------------------------------------------------------
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
        if ds.draft and not self.access.can(s, principal, "publish", dataset=ds.as_access()):
            # waiting for its first version: only its editors know it exists
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        return ds

    def _version(self, s: Session, name: str, number: int | None, principal: Principal) -> Version:
        ds = self._dataset(s, name, principal=principal)
        if not ds.versions:
            raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=name))
        if number is None:
            current = ds.current_versions
            if not current:
                raise errors.NotFound(M.ALL_WITHDRAWN.format(name=name))
            return current[-1]
        for v in ds.versions:
            if v.number == number:
                return v
        raise errors.NotFound(
            errors.MSG_VERSION_NOT_FOUND.format(
                name=name, version=number, latest=ds.versions[-1].number
            )
        )


def _removing(chunks: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """Yield `chunks`, then remove the temporary file they were read from (also when the
    client goes away mid-download)."""
    try:
        yield from chunks
    finally:
        path.unlink(missing_ok=True)
