"""`AuditService`: run a dataset, model or release audit on a dataset version the principal may
read (or on an uploaded file), store it in `audits`, and record `audit.recorded` in the ledger
in the same transaction, with the SHA-256 of the data, of the predictions and of the result."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.audit import messages as M
from datanuri.audit.dataset_audit import audit_dataset
from datanuri.audit.events import AuditRecorded
from datanuri.audit.hints import SMALL_GROUP, hints
from datanuri.audit.metrics import binary, factorize, model_metrics
from datanuri.audit.release_audit import audit_release, release_json
from datanuri.audit.report import dataset_json, model_json
from datanuri.audit.tables import Audit
from datanuri.audit.thresholds import Threshold, judge
from datanuri.catalog.models import Dataset
from datanuri.catalog.service import CatalogService
from datanuri.events import EventSink, version_subject
from datanuri.privacy.db import PrivacyRelease
from datanuri.store.db import Database, utcnow

MAX_BOOTSTRAP = 10_000


@dataclass(frozen=True)
class UploadedTable:
    """A table given as a file's bytes (CSV, TSV, Parquet, JSON lines)."""

    name: str
    content: bytes


@dataclass(frozen=True)
class VersionRef:
    """A published dataset version (None: the current one)."""

    dataset: str
    version: int | None = None


Source = UploadedTable | VersionRef


@dataclass(frozen=True)
class ModelSpec:
    y_true: str
    y_pred: str
    groups: tuple[str, ...]
    score: str | None = None
    thresholds: tuple[Threshold, ...] = ()
    bootstrap: int = 1000
    seed: int | None = None
    pos_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "y_true": self.y_true,
            "y_pred": self.y_pred,
            "score": self.score,
            "groups": list(self.groups),
            "thresholds": [
                {"metric": t.metric, "kind": t.kind, "value": t.value} for t in self.thresholds
            ],
            "bootstrap": self.bootstrap,
            "seed": self.seed,
            "pos_label": self.pos_label,
        }


@dataclass(frozen=True)
class DatasetSpec:
    groups: tuple[str, ...]
    label: str | None = None
    pos_label: str | None = None
    reference: Mapping[str, float] = field(default_factory=dict)
    proxies: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": list(self.groups),
            "label": self.label,
            "pos_label": self.pos_label,
            "reference": dict(self.reference),
            "proxies": self.proxies,
        }


@dataclass(frozen=True)
class AuditRecord:
    """A stored audit as its reader sees it."""

    id: int
    kind: str
    target: str  # "dataset:NAME@VERSION" or "file:NAME"
    data_sha256: str
    predictions_sha256: str | None
    result_sha256: str
    parameters: dict[str, Any]
    result: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    ledger_index: int | None

    @property
    def hashes(self) -> dict[str, str]:
        out = {"data": self.data_sha256, "result": self.result_sha256}
        if self.predictions_sha256:
            out["predictions"] = self.predictions_sha256
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "hashes": self.hashes,
            "parameters": self.parameters,
            "result": self.result,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "ledger_index": self.ledger_index,
        }


def read_table(upload: UploadedTable) -> pa.Table:
    """An uploaded file as a table: Parquet by its magic, JSON lines, else CSV/TSV."""
    data = upload.content
    suffix = PurePath(upload.name).suffix.lower()
    try:
        if data[:4] == b"PAR1":
            return pq.ParquetFile(io.BytesIO(data)).read()
        if suffix in (".json", ".ndjson", ".jsonl"):
            import pyarrow.json as pj

            return pj.read_json(io.BytesIO(data))
        import pyarrow.csv as pc_csv

        delimiter = "\t" if suffix == ".tsv" else ","
        return pc_csv.read_csv(
            io.BytesIO(data), parse_options=pc_csv.ParseOptions(delimiter=delimiter)
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise errors.InvalidInput(M.MSG_BAD_FILE.format(name=upload.name, reason=exc)) from None


def columns_sha256(table: pa.Table, columns: list[str]) -> str:
    """SHA-256 of the named columns as an Arrow IPC stream (the predictions an audit used)."""
    sink = io.BytesIO()
    sub = table.select(columns).combine_chunks()
    with pa.ipc.new_stream(sink, sub.schema) as w:
        w.write_table(sub)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def _need(table: pa.Table, names: list[str]) -> None:
    for name in names:
        if name not in table.column_names:
            raise errors.InvalidInput(
                M.MSG_NO_COLUMN.format(column=name, columns=", ".join(table.column_names))
            )


def _record(row: Audit, target: str) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        kind=row.kind,
        target=target,
        data_sha256=row.data_hash,
        predictions_sha256=row.predictions_hash,
        result_sha256=row.result_hash,
        parameters=row.parameters,
        result=row.result,
        created_by=row.created_by,
        created_at=row.created_at,
        ledger_index=row.ledger_index,
    )


class AuditService:
    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        catalog: CatalogService,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.catalog = catalog

    # ----- reading what is audited -------------------------------------------------------------
    def _load(self, source: Source, principal: Principal) -> tuple[pa.Table, str, str, int | None]:
        """(table, content SHA-256, target, version) — a version only if `principal` may read
        its rows (checked and logged by the catalog)."""
        if isinstance(source, UploadedTable):
            digest = hashlib.sha256(source.content).hexdigest()
            return read_table(source), digest, f"file:{source.name}", None
        info = self.catalog.get_version(source.dataset, source.version, principal=principal)
        path = self.catalog.parquet_path(
            source.dataset, info.number, principal=principal, purpose="audit"
        )
        table = pq.ParquetFile(path).read()
        return table, info.content_hash, version_subject(source.dataset, info.number), info.number

    @staticmethod
    def _check(principal: Principal) -> None:
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)

    # ----- audits ------------------------------------------------------------------------------
    def model(self, source: Source, spec: ModelSpec, *, principal: Principal) -> AuditRecord:
        """Audit a model's predictions (and scores) against the true outcomes per group."""
        self._check(principal)
        if not spec.groups:
            raise errors.InvalidInput(M.MSG_NO_GROUP)
        if not 0 <= spec.bootstrap <= MAX_BOOTSTRAP:
            raise errors.InvalidInput(M.MSG_BAD_BOOTSTRAP.format(limit=MAX_BOOTSTRAP))
        table, data_hash, target, version = self._load(source, principal)
        cols = [spec.y_true, spec.y_pred, *([spec.score] if spec.score else []), *spec.groups]
        _need(table, cols)
        if table.num_rows == 0:
            raise errors.InvalidInput(M.MSG_EMPTY_TABLE)
        for c in (spec.y_true, spec.y_pred):
            if table.column(c).null_count:
                raise errors.InvalidInput(M.MSG_MISSING_LABELS.format(column=c))
        groups = factorize([(c, table.column(c)) for c in spec.groups])
        y_true, pos = binary(table.column(spec.y_true), spec.pos_label)
        y_pred, _ = binary(table.column(spec.y_pred), pos)
        score = None
        if spec.score:
            score = np.asarray(
                table.column(spec.score).to_numpy(zero_copy_only=False), dtype=np.float64
            )
        m = model_metrics(
            groups, y_true, y_pred, score, bootstrap=spec.bootstrap, seed=spec.seed, pos_label=pos
        )
        verdicts = judge(spec.thresholds, m.disparities)
        small = [" × ".join(f.label) for f in m.groups if f.count < SMALL_GROUP]
        result = model_json(m, verdicts, hints(verdicts, small))
        predictions = columns_sha256(table, [spec.y_pred, *([spec.score] if spec.score else [])])
        passed = result["passed"] if spec.thresholds else None
        return self._store(
            "model",
            source,
            target,
            version,
            data_hash,
            predictions,
            spec.to_dict(),
            result,
            passed,
            principal,
        )

    def dataset(self, source: Source, spec: DatasetSpec, *, principal: Principal) -> AuditRecord:
        """Audit a table: representation, label balance, missingness and proxies per group."""
        self._check(principal)
        table, data_hash, target, version = self._load(source, principal)
        a = audit_dataset(
            table,
            list(spec.groups),
            reference=spec.reference,
            label=spec.label,
            pos_label=spec.pos_label,
            proxies=spec.proxies,
        )
        result = dataset_json(a)
        small = [g["label"] for g in result["groups"] if g["small"]]
        result["hints"] = hints([], small)
        return self._store(
            "dataset",
            source,
            target,
            version,
            data_hash,
            None,
            spec.to_dict(),
            result,
            None,
            principal,
        )

    def release(
        self, dataset: str, version: int | None, groups: tuple[str, ...], *, principal: Principal
    ) -> AuditRecord:
        """Audit a de-identified release (version of `dataset`) against its source, per group:
        for the source holder's editors, who alone may read the source rows."""
        self._check(principal)
        info = self.catalog.get_version(dataset, version, principal=principal)
        with self.db.session() as s:
            rel = s.scalar(
                select(PrivacyRelease).where(
                    PrivacyRelease.target_dataset == dataset,
                    PrivacyRelease.target_version == info.number,
                )
            )
            if rel is None:
                raise errors.NotFound(
                    M.MSG_NOT_A_RELEASE.format(dataset=dataset, version=info.number)
                )
            src = s.scalar(select(Dataset).where(Dataset.name == rel.source_dataset))
            if src is None:
                raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=rel.source_dataset))
            self.access.require(s, principal, "publish", dataset=src.as_access())
            qis = list((rel.policy or {}).get("quasi_identifiers") or {})
            source_hash, target_hash = rel.source_hash, rel.target_hash
            access = src.as_access()
        self.access.log(principal, access, rel.source_version, "audit", True)
        with self.catalog.blobs.open_input(source_hash) as f:
            source_table = pq.ParquetFile(f).read()
        with self.catalog.blobs.open_input(target_hash) as f:
            released = pq.ParquetFile(f).read()
        levels = ((rel.report or {}).get("transformation") or {}).get("levels") or {}
        for c in groups:
            if levels.get(c, 0):
                raise errors.InvalidInput(M.MSG_GROUP_GENERALISED.format(column=c))
        result: dict[str, Any] = release_json(audit_release(source_table, released, groups, qis))
        result["hints"] = hints([], [g["label"] for g in result["groups"] if g["small"]])
        params = {"groups": list(groups), "source": f"{rel.source_dataset}@{rel.source_version}"}
        target = version_subject(dataset, info.number)
        return self._store(
            "release",
            VersionRef(dataset, info.number),
            target,
            info.number,
            target_hash,
            None,
            params,
            result,
            None,
            principal,
            source_hash=source_hash,
        )

    def _store(
        self,
        kind: str,
        source: Source,
        target: str,
        version: int | None,
        data_hash: str,
        predictions_hash: str | None,
        parameters: dict[str, Any],
        result: dict[str, Any],
        passed: bool | None,
        principal: Principal,
        *,
        source_hash: str | None = None,
    ) -> AuditRecord:
        if source_hash:
            parameters = {**parameters, "source_sha256": source_hash}
        result_hash = canonical.sha256(result)
        params_hash = canonical.sha256(parameters)
        with self.db.write_session() as s:
            dataset_id = None
            if isinstance(source, VersionRef):
                dataset_id = s.scalar(select(Dataset.id).where(Dataset.name == source.dataset))
            row = Audit(
                kind=kind,
                dataset_id=dataset_id,
                dataset_version=version,
                file_name=source.name if isinstance(source, UploadedTable) else None,
                data_hash=data_hash,
                predictions_hash=predictions_hash,
                parameters=parameters,
                result=result,
                result_hash=result_hash,
                created_by=principal.ref,
                user_id=principal.user_id,
            )
            s.add(row)
            s.flush()
            row.ledger_index = self.events.record(
                s,
                AuditRecorded(
                    actor=principal.ref,
                    time=utcnow(),
                    audit_id=row.id,
                    kind=kind,
                    target=target,
                    data_sha256=data_hash,
                    predictions_sha256=predictions_hash,
                    parameters_sha256=params_hash,
                    result_sha256=result_hash,
                    passed=passed,
                ),
            )
            s.flush()
            return _record(row, target)

    # ----- reading audits ------------------------------------------------------------------------
    def get(self, audit_id: int, *, principal: Principal) -> AuditRecord:
        """A stored audit, for whoever ran it and administrators (others: not found)."""
        with self.db.session() as s:
            row = s.get(Audit, audit_id)
            if row is None or not self._may_read(s, row, principal):
                raise errors.NotFound(M.MSG_AUDIT_NOT_FOUND.format(audit_id=audit_id))
            target = self._target(s, row)
            return _record(row, target)

    @staticmethod
    def _may_read(s: Session, row: Audit, p: Principal) -> bool:
        return p.is_admin or row.created_by == p.ref

    @staticmethod
    def _target(s: Session, row: Audit) -> str:
        if row.dataset_id is not None:
            ds = s.get(Dataset, row.dataset_id)
            return version_subject(ds.name if ds else "?", row.dataset_version or 0)
        return f"file:{row.file_name}"
