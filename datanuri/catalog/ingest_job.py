"""The catalog's job kind "ingest": publish an uploaded file as a dataset's next version.

The upload is stored in the blob store before the job is queued (`stage_upload`), so a worker
in any process (on any host sharing the store) reads it; the job row holds only its digest and
the publish options. The principal is rebuilt when the job runs, with the rights its user has
then. The staged upload is removed once the job has ended for good (unless a version or
another job refers to the same content)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from datanuri.accounts.service import AccountService
from datanuri.catalog.blobs import discard_unreferenced
from datanuri.catalog.jobs import publish_job
from datanuri.catalog.service import CatalogService
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database

KIND = "ingest"


class IngestServices(Protocol):
    """What an ingest job works with (the platform has all of it)."""

    @property
    def catalog(self) -> CatalogService: ...
    @property
    def accounts(self) -> AccountService: ...
    @property
    def blobs(self) -> BlobStore: ...
    @property
    def db(self) -> Database: ...


@dataclass(frozen=True)
class IngestParams:
    """An ingest job's parameters: the dataset, the staged upload's digest and file name, and
    the publish options the uploader chose."""

    dataset: str
    upload: str  # hex SHA-256 of the staged upload in the blob store
    filename: str
    change_note: str = ""
    mode: Literal["lenient", "strict"] = "lenient"
    format: str = "auto"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    skip_rows: int | None = None
    keep_totals: bool = False
    override_reason: str | None = None


def stage_upload(blobs: BlobStore, path: Path) -> str:
    """Move an uploaded file into the blob store, where any worker finds it; its digest."""
    return blobs.put_file(path, move=True)


def run_ingest(services: IngestServices, params: IngestParams, ctx: JobContext) -> JobOutput:
    """Publish the staged upload for the job's actor (a permission error if they may no
    longer publish to the dataset)."""
    me = services.accounts.acting_principal(ctx.actor, ctx.scopes)
    source = services.blobs.verify(params.upload)
    return publish_job(
        services.catalog,
        params.dataset,
        source,
        filename=params.filename,
        change_note=params.change_note,
        mode=params.mode,
        format=params.format,
        encoding=params.encoding,
        delimiter=params.delimiter,
        sheet=params.sheet,
        header_row=params.header_row,
        skip_rows=params.skip_rows,
        keep_totals=params.keep_totals,
        override_reason=params.override_reason,
        principal=me,
        progress=ctx.progress,
    )


def drop_upload(services: IngestServices, params: IngestParams) -> None:
    """Remove the staged upload, unless a version or an unfinished job refers to it."""
    discard_unreferenced(services.db, services.blobs, params.upload)


INGEST: JobKind[IngestServices, IngestParams] = JobKind(
    KIND, IngestParams, run_ingest, cleanup=drop_upload
)
