"""`PrivacyService`: scan, apply a policy to, and release de-identified versions of personal datasets.

The pure engine (`datanuri.privacy.*`) works on Arrow tables; this layer brings it to datasets:

- `scan` detects direct identifiers, quasi-identifiers and sensitive columns in the latest version;
- `apply` runs a policy on the latest version and returns the candidate release and its
  assessment report, publishing nothing;
- `release` publishes the candidate as a version of an open or restricted target dataset, only if
  the policy passes, and keeps a release record (source version, policy, report and its hash,
  target version) with a `privacy.release` ledger event carrying the hashes of all four, written
  in the same transaction as the version (all of it commits, or none);
- `create_key` / `list_keys` manage the holder's pseudonymisation keys (`datanuri.privacy.keys`),
  which `apply` and `release` look up by the names the policy gives.

Trust rule 1: the rows of a personal dataset leave the holder only through a release that
passed. Every operation here requires the principal to be an editor of the holding organisation
(the `publish` action on the source dataset); the raw rows are read from the verified blob
inside the service and never returned.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Organization
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, Version
from datanuri.catalog.service import CatalogService
from datanuri.engine import Engine
from datanuri.events import EventSink, KeyCreated, PrivacyBudgetDeclared, PrivacyReleased
from datanuri.names import check_name
from datanuri.privacy import dp as DP
from datanuri.privacy import messages as M
from datanuri.privacy.budget import BudgetAccount, account, check_budget_value, refuse_if_over
from datanuri.privacy.db import PrivacyBudget, PrivacyLoss, PrivacyRelease
from datanuri.privacy.detect import detect
from datanuri.privacy.guard import SAMPLE_ROWS, DetectionGuard, sample_parquet, ticket_issuer
from datanuri.privacy.keys import KeyInfo, KeyStore, fingerprint
from datanuri.privacy.large import apply_large, refuse_unsupported
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.policy import apply_policy
from datanuri.privacy.release_links import (
    INHERITED_FIELDS,
    ReleaseLink,
    ReleaseMetadata,
    default_description,
    default_title,
    public_report,
    release_terms,
)
from datanuri.privacy.report import (
    AssessmentReport,
    DPReport,
    Report,
    load_report,
    report_warnings,
)
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database

log = logging.getLogger("datanuri.privacy")
Progress = Callable[[int, int | None], None]
ReleaseAccess = Literal["open", "restricted"]
RELEASE_ACCESS = ("open", "restricted")
KST = dt.timezone(dt.timedelta(hours=9), "KST")  # the date a release description states
STEPS = 4  # load, transform + assess, write, publish + record
PREVIEW_ROWS = 20


class PolicyFailed(errors.InvalidInput):
    """The policy did not pass: nothing was released. `details` holds the failures and report."""

    code = "policy_failed"


def canonical_json(obj: Any) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (stable across backends)."""
    return json.dumps(
        obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str
    ).encode("utf-8")


def sha256_json(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def release_target(
    s: Session, access: AccessControl, src: Dataset, target: str, principal: Principal
) -> str | None:
    """The organisation to create a release's `target` dataset in, or None if it exists and may
    receive it: an open or restricted dataset of the source's organisation (de-identified and
    synthetic releases alike)."""
    ds = s.scalar(select(Dataset).where(Dataset.name == target))
    if ds is None:
        access.require(s, principal, "create_dataset", org=src.organization.name)
        return src.organization.name
    if ds.organization_id != src.organization_id:
        raise errors.Conflict(
            M.MSG_TARGET_OTHER_ORG.format(target=target, org=src.organization.name)
        )
    if ds.access_level == "personal":
        raise errors.Conflict(M.MSG_TARGET_PERSONAL.format(target=target))
    access.require(s, principal, "publish", dataset=ds.as_access())
    return None


def plain_json(obj: Any) -> Any:
    """`obj` as it comes back from a JSON column (numpy numbers, dates etc. made plain)."""
    return json.loads(json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str))


def _no_progress(done: int, total: int | None) -> None:
    return None


def json_cell(value: Any) -> Any:
    """One table value as plain JSON (dates as ISO text, NaN as null, bytes as base64)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [json_cell(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_cell(v) for k, v in value.items()}
    return str(value)


def table_preview(table: pa.Table, limit: int = PREVIEW_ROWS) -> dict[str, Any]:
    """The first `limit` rows of `table` as {"columns": [...], "rows": [[...], ...]} of plain JSON."""
    head = table.slice(0, limit)
    columns = [head.column(i).to_pylist() for i in range(head.num_columns)]
    return {
        "columns": head.column_names,
        "rows": [[json_cell(v) for v in row] for row in zip(*columns, strict=True)],
    }


def key_refs(policy: Mapping[str, Any]) -> list[str]:
    """The key names a policy pseudonymises with (in order, once each); malformed specs are left
    to `validate_policy` to explain."""
    names: list[str] = []
    for section in ("direct_identifiers", "other"):
        specs = policy.get(section) or {}
        for spec in specs.values() if isinstance(specs, Mapping) else ():
            if (
                isinstance(spec, Mapping)
                and len(spec) == 1
                and isinstance(spec.get("pseudonymize"), Mapping)
            ):
                ref = spec["pseudonymize"].get("key")
                if isinstance(ref, str) and ref not in names:
                    names.append(ref)
    return names


@dataclass(frozen=True)
class Candidate:
    """The result of `apply`: the candidate table (never published by `apply`) and its report.

    On the large-table path (the compute engine) `table` holds only the release's first rows,
    `rows` the number of released records and `file` the release the engine wrote (kept only
    while `release` publishes it)."""

    dataset: str
    version: int
    source_hash: str
    table: pa.Table
    passed: bool
    report: Report
    rows: int | None = None
    file: Path | None = None

    @property
    def num_rows(self) -> int:
        """Records in the candidate release."""
        return self.table.num_rows if self.rows is None else self.rows

    def summary(self) -> dict[str, Any]:
        """What may be shown to the holder's editors: the report, the shape and a preview of the
        first rows of the de-identified table (no source rows). A candidate that did not pass is
        not a releasable table (it may still hold an untreated identifier): its preview has no rows."""
        if self.passed:
            preview = table_preview(self.table)
        else:
            preview = {
                "columns": self.table.column_names,
                "rows": [],
                "withheld": "The policy did not pass, so no rows are shown; fix the failures and "
                "apply it again.",
            }
        return {
            "dataset": self.dataset,
            "version": self.version,
            "passed": self.passed,
            "failures": list(self.report.failures),
            "rows": self.num_rows,
            "columns": self.table.column_names,
            "preview": preview,
            "report": self.report.to_json(),
            "report_sha256": self.report.digest(),
            "warnings": report_warnings(self.report),
            "budget": self.report.budget.to_json()
            if isinstance(self.report, DPReport) and self.report.budget
            else None,
        }


@dataclass(frozen=True)
class ReleaseInfo:
    id: int
    organization: str
    source_dataset: str
    source_version: int
    source_hash: str
    target_dataset: str
    target_version: int
    target_hash: str
    access_level: str
    policy: dict[str, Any]
    policy_hash: str
    report: Report
    report_hash: str  # of the report as recorded (typed reports: their digest())
    released_by: str
    ledger_index: int | None
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "report": self.report.to_json(),
            "warnings": report_warnings(self.report),
        }


def _release_info(r: PrivacyRelease) -> ReleaseInfo:
    return ReleaseInfo(
        id=r.id,
        organization=r.organization,
        source_dataset=r.source_dataset,
        source_version=r.source_version,
        source_hash=r.source_hash,
        target_dataset=r.target_dataset,
        target_version=r.target_version,
        target_hash=r.target_hash,
        access_level=r.access_level,
        policy=r.policy,
        policy_hash=r.policy_hash,
        report=load_report(r.report),  # reports stored before the typed format are converted
        report_hash=r.report_hash,
        released_by=r.released_by,
        ledger_index=r.ledger_index,
        created_at=r.created_at.isoformat(),
    )


def _failure_message(name: str, report: Report) -> str:
    failures = list(report.failures) or ["the policy did not pass"]
    return (
        f"The policy did not pass for {name!r}; nothing was released. "
        + " ".join(failures)
        + " Change the policy (coarser hierarchies, a higher suppression limit, or weaker"
        " parameters) and apply it again."
    )


class PrivacyService:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        events: EventSink,
        access: AccessControl,
        catalog: CatalogService,
        keys: KeyStore | None = None,
        limits: PolicyLimits | None = None,
        guard: DetectionGuard | None = None,
        engine: Callable[[], Engine] | None = None,
        engine_name: str = "duckdb",
        inmemory_rows: int = 5_000_000,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.events = events
        self.access = access
        self.catalog = catalog
        self.keys = keys
        self.limits = limits or PolicyLimits()
        # The large-table path: policies run on the compute engine (made on first use) when
        # the engine is Spark or the source has more rows than `inmemory_rows`.
        self.engine = engine
        self.engine_name = engine_name
        self.inmemory_rows = inmemory_rows
        # Issues the ticket that lets a passing release through the catalog's publish guard.
        self.guard = guard or ticket_issuer(catalog)
        # Other spenders of the same privacy-loss accounts (synthetic releases), wired by the
        # platform: each gives the epsilons it spent from a dataset's account, in a session.
        self.spent_elsewhere: list[Callable[[Session, str], list[float]]] = []

    # ----- reading the holder's table --------------------------------------------------------
    def _source(self, s: Session, name: str, principal: Principal) -> tuple[Dataset, Version]:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        # hidden datasets stay hidden
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        self.access.require(
            s, principal, "publish", dataset=ds.as_access()
        )  # the holder's editors only
        if not ds.versions:
            raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=name))
        return ds, ds.versions[-1]

    def _load(self, name: str, principal: Principal) -> tuple[str, int, str, pa.Table]:
        """(organization, version number, content hash, table) of the latest version."""
        with self.db.session() as s:
            ds, v = self._source(s, name, principal)
            org, number, digest = ds.organization.name, v.number, v.content_hash
            access = ds.as_access()
        # after the session: one pooled connection per request at a time (see catalog.parquet_path)
        self.access.log(principal, access, number, "privacy", True)
        with self.blobs.open_input(digest) as f:  # verified, read through the store's filesystem
            table = pq.ParquetFile(f).read()  # read_table would import pandas (~0.2 s)
        return org, number, digest, table

    def _source_rows(self, name: str, principal: Principal) -> tuple[int, str, int]:
        """(version number, content hash, rows) of the latest version, from its Parquet footer."""
        with self.db.session() as s:
            _, v = self._source(s, name, principal)
            number, digest = v.number, v.content_hash
        with self.blobs.open_input(digest, verified=False) as f:
            rows = pq.ParquetFile(f).metadata.num_rows
        return number, digest, rows

    def _source_file(self, name: str, principal: Principal) -> tuple[int, str, Path]:
        """(version number, content hash, verified local file) of the latest version, its use
        logged, without reading its rows."""
        with self.db.session() as s:
            ds, v = self._source(s, name, principal)
            number, digest = v.number, v.content_hash
            self.access.log(principal, ds.as_access(), number, "privacy", True)
        return number, digest, self.blobs.local_path(digest)

    def is_large(self, rows: int) -> bool:
        """Whether a source of `rows` rows takes the large-table path (the compute engine)."""
        return self.engine is not None and (
            self.engine_name == "spark" or rows > self.inmemory_rows
        )

    def check_editor(self, name: str, *, principal: Principal) -> None:
        """Raise unless `principal` edits the organisation holding dataset `name` (fail fast)."""
        with self.db.session() as s:
            self._editor_check(s, name, principal)

    # ----- scan ------------------------------------------------------------------------------
    def scan(self, name: str, *, principal: Principal) -> dict[str, Any]:
        """Classify every column of the latest version (direct / quasi / sensitive / other).
        A large table (see `is_large`) is not read: detection looks at a seeded sample of it."""
        if self.engine is not None:
            _, _, rows = self._source_rows(name, principal)
            if self.is_large(rows):
                number, digest, path = self._source_file(name, principal)
                found = detect(sample_parquet(path, SAMPLE_ROWS))
                return {
                    "dataset": name,
                    "version": number,
                    "content_hash": digest,
                    **replace(found, total_rows=rows).to_dict(),
                }
        _, number, digest, table = self._load(name, principal)
        return {
            "dataset": name,
            "version": number,
            "content_hash": digest,
            **detect(table).to_dict(),
        }

    # ----- apply -----------------------------------------------------------------------------
    def apply(
        self,
        name: str,
        policy: Mapping[str, Any],
        *,
        principal: Principal,
        progress: Progress | None = None,
        base_dir: Path | None = None,
        keys: Mapping[str, bytes] | None = None,
        population: pa.Table | None = None,
        salt: bytes | None = None,
    ) -> Candidate:
        """Run `policy` on the latest version: the candidate release and its report. Publishes nothing.

        `base_dir` is where policy-relative hierarchy files are read (CLI only); without it a
        policy may not name files, so a remote caller cannot make the server read one. `salt` is
        the per-release value pseudonyms are derived with (fresh and random if None; the holder
        reproduces a candidate with the salt its report records)."""
        candidate = self._candidate_for_release(
            name, policy, principal, progress or _no_progress, base_dir, keys, population, salt
        )
        if candidate.file is not None:  # `apply` publishes nothing: the release file goes
            candidate.file.unlink(missing_ok=True)
            candidate = replace(candidate, file=None)
        return candidate

    def _apply_large(
        self,
        name: str,
        policy: Mapping[str, Any],
        principal: Principal,
        progress: Progress,
        base_dir: Path | None,
        population: pa.Table | None,
    ) -> Candidate | None:
        """The candidate of the large-table path, its release written to a temporary file
        (`Candidate.file`, the caller's to remove); None when the source is small."""
        if self.engine is None:
            return None
        _, _, rows = self._source_rows(name, principal)
        if not self.is_large(rows):
            return None
        refuse_unsupported(
            policy,
            name=name,
            rows=rows,
            engine=self.engine_name,
            population=population is not None,
        )
        number, digest, path = self._source_file(name, principal)
        progress(1, STEPS)
        out = self.blobs.temp_path(".parquet")
        try:
            outcome = apply_large(
                self.engine(), path, out, policy, name=name, base_dir=base_dir, limits=self.limits
            )
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        progress(2, STEPS)
        report = load_report(plain_json(outcome.report.to_json()))
        return Candidate(
            name,
            number,
            digest,
            outcome.head,
            outcome.passed and report.passed,
            report,
            rows=outcome.rows,
            file=out,
        )

    def _apply_memory(
        self,
        name: str,
        policy: Mapping[str, Any],
        principal: Principal,
        progress: Progress,
        base_dir: Path | None,
        keys: Mapping[str, bytes] | None,
        population: pa.Table | None,
        salt: bytes | None,
    ) -> Candidate:
        """The candidate of the in-memory path (the whole source table read)."""
        org, number, digest, table = self._load(name, principal)
        keys = self._keys_for(org, policy, keys)
        progress(1, STEPS)
        result = apply_policy(
            table,
            policy,
            keys=keys,
            base_dir=base_dir,
            limits=self.limits,
            population=population,
            salt=salt,
        )
        report = result.report
        if isinstance(report, AssessmentReport):  # the key's name and fingerprint, never the key
            report = replace(
                report,
                measures=tuple(
                    replace(m, options={**m.options, "key_fingerprint": fingerprint(keys[ref])})
                    if isinstance(ref := m.options.get("key"), str)
                    else m
                    for m in report.measures
                ),
            )
        if isinstance(report, DPReport):  # the source's privacy-loss account, with this release
            with self.db.session() as s:
                acc = self._account(s, name, this_release=report.epsilon_spent)
            report = _with_budget(report, acc, limit=self.limits.default_epsilon_budget)
        progress(2, STEPS)
        # as it reads back from a JSON column, so the digest of the stored report is the same
        report = load_report(plain_json(report.to_json()))
        return Candidate(
            name, number, digest, result.table, result.passed and report.passed, report
        )

    def _keys_for(
        self, org: str, policy: Mapping[str, Any], given: Mapping[str, bytes] | None
    ) -> dict[str, bytes]:
        """The keys the policy names: those given (tests, pure use), the rest from the holder's key store."""
        keys = dict(given or {})
        wanted = [ref for ref in key_refs(policy) if ref not in keys]
        if wanted and self.keys is not None:
            keys.update(self.keys.resolve(org, wanted))
        return keys

    # ----- release ---------------------------------------------------------------------------
    def release(
        self,
        name: str,
        policy: Mapping[str, Any],
        *,
        target_name: str,
        access_level: ReleaseAccess = "open",
        principal: Principal,
        progress: Progress | None = None,
        base_dir: Path | None = None,
        keys: Mapping[str, bytes] | None = None,
        title: str | None = None,
        population: pa.Table | None = None,
        metadata: ReleaseMetadata | None = None,
    ) -> ReleaseInfo:
        """Apply `policy` and, only if it passes, publish the result as the next version of
        `target_name` (created as `access_level` in the holder's organisation if missing, with
        the source's licence, theme, keywords, coverage and contact, changed by `metadata`, and a
        default title and description naming the source and the model).

        A failing policy raises `PolicyFailed` (with the failures and the report) and changes
        nothing."""
        progress = progress or _no_progress
        if access_level not in RELEASE_ACCESS:
            raise errors.InvalidInput(
                f"A release is 'open' or 'restricted', never {access_level!r}."
            )
        if target_name == name:
            raise errors.InvalidInput(
                "Release into another dataset: the personal dataset itself stays personal."
            )
        policy = plain_json(dict(policy))
        asked = policy.get("epsilon") if isinstance(policy, Mapping) and DP.is_dp(policy) else None
        if (  # an epsilon above the ceiling is refused by `apply` with its own message
            isinstance(asked, (int, float))
            and not isinstance(asked, bool)
            and 0 < asked <= self.limits.max_epsilon
        ):
            with self.db.session() as s:  # refused before any work; checked again when recorded
                self._editor_check(s, name, principal)
                acc = self._account(s, name, this_release=float(asked))
            refuse_if_over(acc, limit=self.limits.default_epsilon_budget)
            self._ensure_account(name)  # the row the release's transaction locks
        candidate = self._candidate_for_release(
            name, policy, principal, progress, base_dir, keys, population
        )
        try:
            return self._release_candidate(
                name,
                policy,
                candidate,
                target_name=target_name,
                access_level=access_level,
                principal=principal,
                progress=progress,
                title=title,
                metadata=metadata,
            )
        finally:
            if candidate.file is not None:
                candidate.file.unlink(missing_ok=True)

    def _candidate_for_release(
        self,
        name: str,
        policy: Mapping[str, Any],
        principal: Principal,
        progress: Progress,
        base_dir: Path | None,
        keys: Mapping[str, bytes] | None,
        population: pa.Table | None,
        salt: bytes | None = None,
    ) -> Candidate:
        """The candidate release of `policy`, keeping the large path's release file for
        publishing (`apply` removes it)."""
        if not isinstance(policy, Mapping):
            raise errors.InvalidInput(
                "A privacy policy is a JSON object (see `datanuri privacy apply --help`)."
            )
        if base_dir is None:
            refuse_files(policy)
        progress(0, STEPS)
        large = self._apply_large(name, policy, principal, progress, base_dir, population)
        if large is not None:
            return large
        return self._apply_memory(
            name, policy, principal, progress, base_dir, keys, population, salt
        )

    def _release_candidate(
        self,
        name: str,
        policy: Mapping[str, Any],
        candidate: Candidate,
        *,
        target_name: str,
        access_level: ReleaseAccess,
        principal: Principal,
        progress: Progress,
        title: str | None,
        metadata: ReleaseMetadata | None,
    ) -> ReleaseInfo:
        """Publish a passing candidate into `target_name` with its release record."""
        if not candidate.passed:
            raise PolicyFailed(
                _failure_message(name, candidate.report),
                details={
                    "failures": list(candidate.report.failures),
                    "report": candidate.report.to_json(),
                },
            )
        org = self._check_target(name, target_name, principal)
        recorded: list[ReleaseInfo] = []

        def record(
            s: Session, version: Version
        ) -> None:  # in the transaction that creates the version
            recorded.append(self._record(s, name, candidate, policy, version, principal))

        tmp = candidate.file or self.blobs.temp_path(".parquet")
        ticket = self.guard.issue(
            target=target_name,
            table=candidate.table,
            passed=candidate.passed,
            rows=candidate.num_rows,
        )
        try:
            if candidate.file is None:
                pq.write_table(candidate.table, tmp, compression="zstd")
            progress(3, STEPS)
            about, fields = self._target_fields(name, target_name, candidate, metadata)
            if org is not None:  # the target is new
                self.catalog.create_dataset(
                    target_name,
                    organization=org,
                    access_level=access_level,
                    principal=principal,
                    **(fields | ({"title": title} if title else {})),
                )
            try:
                published = self.catalog.publish(
                    target_name,
                    tmp,
                    filename=f"{target_name}.parquet",
                    format="parquet",
                    principal=principal,
                    change_note=about,
                    on_publish=record,
                    release=ticket,
                )
            except BaseException:
                if org is not None:  # a failed release leaves no empty dataset behind
                    self._discard_target(target_name, principal)
                raise
        finally:
            self.guard.revoke(ticket)
            tmp.unlink(missing_ok=True)
        if (
            not recorded
        ):  # identical content: the existing version is released again, in one transaction
            with self.db.session() as s:
                tds = s.scalar(select(Dataset).where(Dataset.name == target_name))
                assert tds is not None
                version = next(v for v in tds.versions if v.number == published.version.number)
                recorded.append(self._record(s, name, candidate, policy, version, principal))
        progress(STEPS, STEPS)
        return recorded[0]

    def _discard_target(self, target: str, principal: Principal) -> None:
        try:
            self.catalog.discard_empty_dataset(target, principal=principal)
        except Exception:  # the release's own error is the one to report
            log.exception(
                "could not remove the empty target dataset %r of a failed release", target
            )

    def release_defaults(self, name: str, target: str, *, principal: Principal) -> ReleaseMetadata:
        """What the wizard shows for a new release of `name` into `target` (its editors): the
        source's metadata and the default title, naming the source only when the public may
        know it exists."""
        with self.db.session() as s:
            self._editor_check(s, name, principal)
            src = s.scalar(select(Dataset).where(Dataset.name == name))
            assert src is not None
            shown = target if src.as_access().hidden else src.title
            return ReleaseMetadata(
                title=default_title(shown, src.language or "ko"),
                license=src.license,
                theme=src.theme,
                keywords=tuple(str(k) for k in src.keywords or ()),
                temporal_start=src.temporal_start,
                temporal_end=src.temporal_end,
                spatial=src.spatial,
                contact_name=src.contact_name,
                contact_email=src.contact_email,
            )

    def _target_fields(
        self, name: str, target: str, c: Candidate, metadata: ReleaseMetadata | None
    ) -> tuple[str, dict[str, Any]]:
        """(the release's default description, the fields of a new target dataset): the source's
        metadata with the publisher's changes; title and description name the source only when
        the public may know it exists, in the source's language."""
        with self.db.session() as s:
            src = s.scalar(select(Dataset).where(Dataset.name == name))
            assert src is not None
            hidden = src.as_access().hidden
            source = {k: getattr(src, k) for k in INHERITED_FIELDS}
            lang, source_title = src.language or "ko", src.title
        meta = metadata or ReleaseMetadata()
        day = dt.datetime.now(KST).date()
        about = default_description(
            None if hidden else source_title, c.version, release_terms(c.report), day, lang
        )
        fields = meta.fields(source) | {
            "title": meta.title or default_title(target if hidden else source_title, lang),
            "description": meta.description or about,
        }
        return about, fields

    def _check_target(self, name: str, target: str, principal: Principal) -> str | None:
        """The organisation to create `target` in, or None if it exists (and may receive this)."""
        with self.db.session() as s:
            src, _ = self._source(s, name, principal)
            return release_target(s, self.access, src, target, principal)

    def _record(
        self,
        s: Session,
        name: str,
        c: Candidate,
        policy: Mapping[str, Any],
        tv: Version,
        principal: Principal,
    ) -> ReleaseInfo:
        """Write the release record and its `privacy.release` ledger event in `s`'s transaction;
        for a differential-privacy release also its entry in the source's privacy-loss account,
        checked against the budget under a lock on the account (all of it commits, or none)."""
        report = c.report
        src, _ = self._source(s, name, principal)
        if isinstance(report, DPReport):
            self._lock_account(s, name, src.organization.name)
            acc = self._account(s, name, this_release=report.epsilon_spent)
            refuse_if_over(acc, limit=self.limits.default_epsilon_budget)
            report = _with_budget(report, acc, limit=self.limits.default_epsilon_budget)
            report = load_report(plain_json(report.to_json()))
        policy_hash, report_hash = sha256_json(policy), report.digest()
        tds, number = tv.dataset, tv.number
        row = PrivacyRelease(
            organization=src.organization.name,
            source_dataset=name,
            source_version=c.version,
            source_hash=c.source_hash,
            target_dataset=tds.name,
            target_version=number,
            target_hash=tv.content_hash,
            access_level=tds.access_level,
            policy=dict(policy),
            policy_hash=policy_hash,
            report=report.to_json(),
            report_hash=report_hash,
            released_by=principal.ref,
        )
        s.add(row)
        s.flush()
        if isinstance(report, DPReport):
            s.add(PrivacyLoss(source_dataset=name, release_id=row.id, epsilon=report.epsilon_spent))
        measures = report.measures if isinstance(report, AssessmentReport) else ()
        row.ledger_index = self.events.record(
            s,
            PrivacyReleased(
                actor=principal.ref,
                time=row.created_at,
                dataset=tds.name,
                version=number,
                release_id=row.id,
                source_dataset=name,
                source_version=c.version,
                access_level=tds.access_level,
                rows=c.num_rows,
                model=report.policy.model if isinstance(report, AssessmentReport) else report.model,
                source_sha256=c.source_hash,
                policy_sha256=policy_hash,
                report_sha256=report_hash,
                output_sha256=tv.content_hash,
                keys={
                    m.options["key"]: m.options["key_fingerprint"]
                    for m in measures
                    if "key_fingerprint" in m.options
                },
                linkable={
                    m.options["key"]: bool(m.options.get("linkable", False))
                    for m in measures
                    if "key_fingerprint" in m.options
                },
                epsilon=report.epsilon_spent if isinstance(report, DPReport) else None,
            ),
        )
        s.flush()
        return _release_info(row)

    # ----- the privacy-loss account ----------------------------------------------------------
    def _account(
        self, s: Session, name: str, *, this_release: float | None = None
    ) -> BudgetAccount:
        """`name`'s account as of `s`: its declared budget and the epsilons its releases spent."""
        declared = s.scalar(select(PrivacyBudget.budget).where(PrivacyBudget.dataset == name))
        spent = list(
            s.scalars(
                select(PrivacyLoss.epsilon)
                .where(PrivacyLoss.source_dataset == name)
                .order_by(PrivacyLoss.id)
            )
        )
        for other in self.spent_elsewhere:
            spent += other(s, name)
        return account(
            name,
            spent,
            declared=declared,
            default_budget=self.limits.default_epsilon_budget,
            this_release=this_release,
        )

    def _ensure_account(self, name: str) -> None:
        """Make `name`'s account row in a transaction of its own (a concurrent maker wins, which is
        as good), so releases only ever lock an existing row."""
        try:
            with self.db.session() as s:
                if s.scalar(select(PrivacyBudget.id).where(PrivacyBudget.dataset == name)) is None:
                    ds = s.scalar(select(Dataset).where(Dataset.name == name))
                    assert ds is not None
                    s.add(PrivacyBudget(organization=ds.organization.name, dataset=name))
        except IntegrityError:
            pass

    def _lock_account(self, s: Session, name: str, org: str) -> PrivacyBudget:
        """The account's row of `name`, made if missing, locked until `s` ends (PostgreSQL: FOR
        UPDATE; SQLite holds one writer at a time), so two releases cannot both spend the rest."""
        q = select(PrivacyBudget).where(PrivacyBudget.dataset == name).with_for_update()
        row = s.scalar(q)
        if row is None:
            s.add(PrivacyBudget(organization=org, dataset=name, budget=None))
            s.flush()  # a concurrent first release fails on the unique dataset: nothing is lost
            row = s.scalar(q)
            assert row is not None
        return row

    def budget(self, name: str, *, principal: Principal) -> BudgetAccount:
        """The privacy-loss account of dataset `name`: budget, spent, remaining (its editors)."""
        with self.db.session() as s:
            self._editor_check(s, name, principal)
            return self._account(s, name)

    def declare_budget(self, name: str, epsilon: float, *, principal: Principal) -> BudgetAccount:
        """Declare the privacy-loss budget of personal dataset `name`: the total epsilon its
        differential-privacy releases may spend. Only an owner of the holding organisation (or a
        platform admin); at most the platform's default budget, at least what is spent. Recorded
        in the ledger as `privacy.budget.declared` in the same transaction."""
        value = check_budget_value(epsilon, limit=self.limits.default_epsilon_budget)
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == name))
            if ds is None:
                raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
            self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
            org = ds.organization.name
            self.access.require(s, principal, "manage_org", org=org)
            if ds.access_level != "personal":
                raise errors.InvalidInput(M.MSG_BUDGET_NOT_PERSONAL.format(dataset=name))
            row = self._lock_account(s, name, org)
            before = self._account(s, name)
            if value < before.spent * (1 - 1e-12):
                raise errors.InvalidInput(
                    M.MSG_BUDGET_BELOW_SPENT.format(dataset=name, spent=before.spent, value=value)
                )
            now = dt.datetime.now(dt.UTC)
            row.budget, row.declared_by, row.declared_at = value, principal.ref, now
            s.flush()
            self.events.record(
                s,
                PrivacyBudgetDeclared(
                    actor=principal.ref,
                    time=now,
                    dataset=name,
                    organization=org,
                    budget=value,
                    previous=before.budget,
                    spent=before.spent,
                ),
            )
            return self._account(s, name)

    # ----- pseudonymisation keys -------------------------------------------------------------
    def create_key(self, org: str, name: str, *, principal: Principal) -> KeyInfo:
        """Create pseudonymisation key `name` for organisation `org` (its editors), recorded in the
        ledger as `privacy.key.created` with its fingerprint. An existing name is refused."""
        store = self._key_store()
        check_name(name, "key")
        created: KeyInfo | None = None
        try:
            with self.db.session() as s:
                self._org_editor(s, org, principal)

                def record(info: KeyInfo) -> None:  # before the key file becomes visible
                    self.events.record(
                        s,
                        KeyCreated(
                            actor=principal.ref,
                            time=dt.datetime.fromisoformat(info.created_at),
                            organization=org,
                            key=name,
                            fingerprint=info.fingerprint,
                        ),
                    )
                    s.flush()

                created = store.create(org, name, created_by=principal.ref, record=record)
        except BaseException:
            if created is not None:  # the transaction did not commit: no key without its record
                store.retract(created)
            raise
        return created

    def list_keys(self, org: str, *, principal: Principal) -> list[KeyInfo]:
        """The pseudonymisation keys of `org` (name, fingerprint, creation), for its editors."""
        store = self._key_store()
        with self.db.session() as s:
            self._org_editor(s, org, principal)
        return store.list(org)

    def _key_store(self) -> KeyStore:
        if self.keys is None:
            raise errors.ConfigError(
                "This datanuri instance has no pseudonymisation key store; build the service with "
                "one (Platform does)."
            )
        return self.keys

    def _org_editor(self, s: Session, org: str, principal: Principal) -> None:
        if s.scalar(select(Organization.id).where(Organization.name == org)) is None:
            raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=org))
        self.access.require(s, principal, "publish", org=org)

    # ----- release records -------------------------------------------------------------------
    def get_release(self, release_id: int, *, principal: Principal) -> ReleaseInfo:
        """A release record with its policy and report (the holder's editors)."""
        with self.db.session() as s:
            row = s.get(PrivacyRelease, release_id)
            if row is None:
                raise errors.NotFound(_no_release(release_id))
            self.access.require(s, principal, "publish", org=row.organization)
            return _release_info(row)

    def list_releases(self, name: str, *, principal: Principal) -> list[ReleaseInfo]:
        """Releases made from (or into) dataset `name`, newest first (the holder's editors)."""
        with self.db.session() as s:
            self._editor_check(s, name, principal)
            q = select(PrivacyRelease).where(
                (PrivacyRelease.source_dataset == name) | (PrivacyRelease.target_dataset == name)
            )
            return [_release_info(r) for r in s.scalars(q.order_by(PrivacyRelease.id.desc()))]

    # ----- what others may know of releases (dataset pages, the public report) ---------------
    def releases_from(self, name: str, *, principal: Principal) -> list[ReleaseLink]:
        """The de-identified releases of dataset `name`, newest first, for whoever may see its
        page: each release's dataset, title, version, date and model (k, l, t)."""
        with self.db.session() as s:
            self.access.require(s, principal, "read_metadata", dataset=self.access.dataset(s, name))
            rows = s.scalars(
                select(PrivacyRelease)
                .where(PrivacyRelease.source_dataset == name)
                .order_by(PrivacyRelease.id.desc())
            )
            links = []
            for r in rows:
                target = s.scalar(select(Dataset).where(Dataset.name == r.target_dataset))
                if target is None or not self.access.can(
                    s, principal, "read_metadata", dataset=target.as_access()
                ):
                    continue
                links.append(
                    self._link(s, r, target.name, target.title, r.target_version, principal)
                )
            return links

    def releases_into(self, name: str, *, principal: Principal) -> list[ReleaseLink]:
        """The releases published into dataset `name`, newest first, each naming its source only
        when `principal` may know the source exists (its metadata is public, or they hold it)."""
        with self.db.session() as s:
            self.access.require(s, principal, "read_metadata", dataset=self.access.dataset(s, name))
            rows = s.scalars(
                select(PrivacyRelease)
                .where(PrivacyRelease.target_dataset == name)
                .order_by(PrivacyRelease.id.desc())
            )
            links = []
            for r in rows:
                src = s.scalar(select(Dataset).where(Dataset.name == r.source_dataset))
                seen = src is not None and self.access.can(
                    s, principal, "read_metadata", dataset=src.as_access()
                )
                links.append(
                    self._link(
                        s,
                        r,
                        src.name if seen and src else "",
                        src.title if seen and src else "",
                        r.source_version if seen else 0,
                        principal,
                    )
                )
            return links

    def _link(
        self, s: Session, r: PrivacyRelease, name: str, title: str, version: int, p: Principal
    ) -> ReleaseLink:
        return ReleaseLink(
            release_id=r.id,
            dataset=name,
            title=title,
            version=version,
            created_at=r.created_at.isoformat(),
            terms=release_terms(load_report(r.report)),
            report_public=self._report_visible(s, r, p),
        )

    def _report_visible(self, s: Session, r: PrivacyRelease, p: Principal) -> bool:
        """The report of a release into a dataset that is open now is public; any other only for
        the holder's editors."""
        target = s.scalar(select(Dataset.access_level).where(Dataset.name == r.target_dataset))
        return target == "open" or self.access.can(s, p, "publish", org=r.organization)

    def release_record(self, release_id: int, *, principal: Principal) -> ReleaseInfo:
        """A release record with its policy and report: in full for the holder's editors; for
        everyone when the released dataset is open, without the pseudonyms' salt, who released
        it, or (unless its metadata is public) the source's name."""
        with self.db.session() as s:
            row = s.get(PrivacyRelease, release_id)
            if row is None:
                raise errors.NotFound(_no_release(release_id))
            if self.access.can(s, principal, "publish", org=row.organization):
                return _release_info(row)
            if not self._report_visible(s, row, principal):
                self.access.require(s, principal, "publish", org=row.organization)
            info = _release_info(row)
            src = s.scalar(select(Dataset).where(Dataset.name == row.source_dataset))
            seen = src is not None and self.access.can(
                s, principal, "read_metadata", dataset=src.as_access()
            )
        return replace(
            info,
            report=public_report(info.report),
            released_by="",
            source_dataset=info.source_dataset if seen else "",
            source_hash=info.source_hash if seen else "",
        )

    def _editor_check(self, s: Session, name: str, principal: Principal) -> None:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        self.access.require(s, principal, "read_metadata", dataset=ds.as_access())
        self.access.require(s, principal, "publish", dataset=ds.as_access())


def _no_release(release_id: int) -> str:
    return (
        f"No privacy release {release_id}. List a dataset's releases with `datanuri privacy "
        "releases DATASET`."
    )


def refuse_files(policy: Mapping[str, Any]) -> None:
    """Hierarchy specs that read files are for the CLI (a policy next to its files), not remote callers."""
    for col, spec in dict(policy.get("quasi_identifiers") or {}).items():
        if isinstance(spec, Mapping) and "csv" in spec:
            raise errors.InvalidInput(M.MSG_HIERARCHY_FILE.format(column=col))


def _with_budget(report: DPReport, acc: BudgetAccount, *, limit: float) -> DPReport:
    """`report` with the source's account; a release past the budget fails with spent, remaining
    and the asked epsilon."""
    failures = tuple(f for f in report.failures if not f.startswith(_BUDGET_PREFIX))
    if not acc.fits:
        failures += (
            M.MSG_DP_BUDGET_EXCEEDED.format(
                dataset=acc.dataset,
                asked=acc.this_release or 0.0,
                budget=acc.budget,
                spent=acc.spent,
                remaining=acc.remaining,
                limit=limit,
            ),
        )
    return replace(report, budget=acc, failures=failures, passed=report.passed and acc.fits)


_BUDGET_PREFIX = M.MSG_DP_BUDGET_EXCEEDED.split("{")[0]
