"""REST API for organizations, datasets, versions and jobs (`/api/v1`)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from datanuri import errors
from datanuri.catalog import explore, export
from datanuri.catalog.fields import check_text
from datanuri.catalog.ingest_job import INGEST, IngestParams, stage_upload
from datanuri.web import schemas
from datanuri.web.auth import AdminCaller, PrincipalDep, PublishCaller
from datanuri.web.background import job_responses, run_job
from datanuri.web.deps import MAX_INT, PlatformDep, whole_number
from datanuri.web.errors import problem_in_korean

router = APIRouter()
AccessLevel = Literal["open", "restricted", "personal"]


class OrganizationIn(BaseModel):
    name: str = Field(description="URL-safe name, e.g. 'seoul-city'")
    title: str | None = None
    description: str = ""


class DatasetFields(BaseModel):
    title: str | None = None
    description: str | None = None
    keywords: list[str] | None = None
    theme: str | None = None
    license: str | None = None
    access_level: AccessLevel | None = None
    language: str | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    spatial: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    metadata_public: bool | None = Field(
        None, description="For personal datasets: whether anyone may see the metadata"
    )
    regions: list[str] | None = Field(
        None, description='Coverage: 시도 codes ("11"), 시군구 as "11:종로구", "00" for 전국'
    )
    update_frequency: str | None = Field(None, description="갱신주기: realtime, daily, … irregular")
    contact_phone: str | None = None
    provision_type: str | None = Field(None, description="제공형태: file, api, link, …")
    citation: str | None = None
    doi: str | None = Field(None, description="e.g. 10.1234/abc")


class DatasetIn(DatasetFields):
    name: str
    organization: str
    draft: bool = Field(
        False,
        description="Seen only by its editors until its first version is published (so an "
        "upload that fails leaves nothing listed)",
    )


def _version_param(version: str) -> int | None:
    if version == "latest":
        return None
    if not whole_number(version) or int(version) < 1:
        raise errors.InvalidInput(f"A version is a number from 1, or 'latest'; got {version!r}.")
    return int(version)


# ----- organizations ------------------------------------------------------------------------
@router.get("/organizations", tags=["organizations"], response_model=list[schemas.OrganizationOut])
def list_organizations(p: PlatformDep, me: PrincipalDep) -> list[dict[str, Any]]:
    return [o.to_dict() for o in p.catalog.list_organizations()]


@router.post(
    "/organizations",
    status_code=201,
    tags=["organizations"],
    response_model=schemas.OrganizationOut,
)
def create_organization(
    body: OrganizationIn,
    p: PlatformDep,
    me: AdminCaller,
) -> dict[str, Any]:
    return p.accounts.create_organization(
        body.name, title=body.title, description=body.description, principal=me
    ).to_dict()


@router.get(
    "/organizations/{name}", tags=["organizations"], response_model=schemas.OrganizationDetailOut
)
def get_organization(name: str, p: PlatformDep, me: PrincipalDep) -> dict[str, Any]:
    org = p.catalog.get_organization(name).to_dict()
    org["datasets"] = [d.name for d in p.catalog.list_datasets(organization=name, principal=me)]
    return org


# ----- datasets -----------------------------------------------------------------------------
@router.get("/datasets", tags=["datasets"], response_model=list[schemas.DatasetSummaryOut])
def list_datasets(
    p: PlatformDep, me: PrincipalDep, organization: str | None = None
) -> list[dict[str, Any]]:
    out = []
    for d in p.catalog.list_datasets(organization=organization, principal=me):
        item = d.to_dict()
        item.pop("versions")
        out.append(item)
    return out


@router.post("/datasets", status_code=201, tags=["datasets"], response_model=schemas.DatasetOut)
def create_dataset(body: DatasetIn, p: PlatformDep, me: PublishCaller) -> dict[str, Any]:
    fields = body.model_dump(exclude={"name", "organization", "title"}, exclude_none=True)
    return p.catalog.create_dataset(
        body.name, organization=body.organization, title=body.title, principal=me, **fields
    ).to_dict()


@router.get("/datasets/{name}", tags=["datasets"], response_model=schemas.DatasetOut)
def get_dataset(name: str, p: PlatformDep, me: PrincipalDep) -> dict[str, Any]:
    return p.catalog.get_dataset(name, principal=me).to_dict()


@router.patch("/datasets/{name}", tags=["datasets"], response_model=schemas.DatasetOut)
def update_dataset(
    name: str,
    body: DatasetFields,
    p: PlatformDep,
    me: PublishCaller,
) -> dict[str, Any]:
    return p.catalog.update_dataset(
        name, principal=me, **body.model_dump(exclude_none=True)
    ).to_dict()


@router.delete("/datasets/{name}", status_code=204, tags=["datasets"])
def delete_dataset(name: str, p: PlatformDep, me: PublishCaller) -> Response:
    """Delete a dataset that has no version yet (its editors only; 409 once it has one: withdraw
    versions instead, the ledger keeps what was published)."""
    p.catalog.delete_dataset(name, principal=me)
    return Response(status_code=204)


class WithdrawIn(BaseModel):
    reason: str = Field(
        description="Why the version is withdrawn (shown on its page, kept in the ledger)"
    )


# ----- versions -----------------------------------------------------------------------------
@router.post(
    "/datasets/{name}/versions/{version}/withdraw",
    tags=["versions"],
    response_model=schemas.VersionOut,
)
def withdraw_version(
    name: str, version: str, body: WithdrawIn, p: PlatformDep, me: PublishCaller
) -> dict[str, Any]:
    """Withdraw a version with a reason (its dataset's editors only). Its rows are no longer
    served (410 on preview and download), the version URL shows the withdrawal, the dataset's
    latest version becomes the newest one left, and the ledger records the withdrawal."""
    number = _version_param(version)
    if number is None:
        raise errors.InvalidInput("Name the version to withdraw by its number, not 'latest'.")
    return p.catalog.withdraw_version(name, number, reason=body.reason, principal=me).to_dict()


@router.post(
    "/datasets/{name}/versions",
    status_code=202,
    tags=["versions"],
    response_model=schemas.JobAcceptedOut,
    responses=job_responses(schemas.PublishedOut),
)
async def upload_version(
    name: str,
    request: Request,
    p: PlatformDep,
    me: PublishCaller,
    wait: bool = Query(
        False, description="Ingest before answering (201) instead of as a background job (202)."
    ),
) -> JSONResponse:
    """Upload a file (multipart field `file`) and publish it as the next version.

    Other form fields: `change_note`, `mode` (lenient|strict), `format`, `encoding`,
    `delimiter`, `sheet`, `header_row` (CSV/XLSX: the 1-based row of the column names,
    counting title rows; detected when omitted) or `skip_rows` (rows above the header),
    `keep_totals` (true: keep 합계/소계/Total rows, which are otherwise left out and reported),
    and `override_reason` (owners of the holding organisation only: publish
    into an open or restricted dataset although identifier detection flagged columns, saying
    why detection is wrong; recorded in the ledger). The upload is spooled to disk, never held
    whole in memory.
    """
    await run_in_threadpool(p.catalog.check_can_publish, name, me)
    limit = p.config.max_upload_bytes
    length = request.headers.get("content-length")
    if length and whole_number(length) and int(length) > limit:
        raise errors.TooLarge(
            f"The upload is {int(length):,} bytes; this server accepts at most {limit:,}."
        )
    try:
        form = await request.form(max_files=1, max_fields=20)
    except MultiPartException as exc:
        raise errors.InvalidInput(
            f"The upload could not be read ({exc.message}); it may have been cut off. Send it again."
        ) from exc
    except Exception as exc:  # a body that ends early or is not multipart at all
        raise errors.InvalidInput(
            f"The upload could not be read ({exc}); it may have been cut off. Send it again."
        ) from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise errors.InvalidInput(
            "No complete file arrived. Send it as a multipart/form-data field named 'file'; if you did, "
            "the upload was cut off before its end: send it again."
        )
    opts: dict[str, Any] = {
        k: str(form[k])
        for k in (
            "change_note",
            "mode",
            "format",
            "encoding",
            "delimiter",
            "sheet",
            "override_reason",
        )
        if form.get(k)
    }
    if opts.get("mode", "lenient") not in ("lenient", "strict"):
        raise errors.InvalidInput("mode must be 'lenient' or 'strict'.")
    opts.update(layout_options(form))
    filename = check_text(upload.filename or "upload", "filename")
    staged = p.blobs.temp_path(Path(filename).suffix[:10])
    try:
        await upload.seek(0)
        await run_in_threadpool(_copy_to, upload.file, staged)
        await upload.close()
        if staged.stat().st_size > limit:
            raise errors.TooLarge(
                f"The upload is larger than this server accepts ({limit:,} bytes)."
            )
        # Into the blob store before the job is queued: any worker process can read it there.
        digest = await run_in_threadpool(stage_upload, p.blobs, staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    params = IngestParams(dataset=name, upload=digest, filename=filename, **opts)
    return await run_job(
        p,
        INGEST.name,
        params,
        actor=me.name,
        scopes=me.scopes,
        dataset=name,
        input_blob=digest,
        wait=wait,
        created=lambda result: bool(result.get("created")),
    )


def layout_options(form: Any) -> dict[str, Any]:
    """The upload form's header-row choices as typed publish options (absent ones left out)."""
    out: dict[str, Any] = {}
    for key, low in (("header_row", 1), ("skip_rows", 0)):
        raw = str(form.get(key) or "").strip()
        if not raw:
            continue
        if not whole_number(raw) or int(raw) < low or int(raw) > 1_000_000:
            raise errors.InvalidInput(
                f"{key} must be a whole number from {low} (the row as the spreadsheet numbers "
                f"it, counting title rows), not {raw[:20]!r}."
            )
        out[key] = int(raw)
    keep = str(form.get("keep_totals") or "").strip().lower()
    if keep not in ("", "false", "0", "no", "off", "true", "1", "yes", "on"):
        raise errors.InvalidInput("keep_totals must be true or false.")
    if keep in ("true", "1", "yes", "on"):
        out["keep_totals"] = True
    return out


def _copy_to(src: Any, dest: Path) -> None:
    with open(dest, "wb") as out:
        shutil.copyfileobj(src, out, 1024 * 1024)


@router.get("/datasets/{name}/versions", tags=["versions"], response_model=list[schemas.VersionOut])
def list_versions(name: str, p: PlatformDep, me: PrincipalDep) -> list[dict[str, Any]]:
    return [v.to_dict() for v in p.catalog.get_dataset(name, principal=me).versions]


@router.get(
    "/datasets/{name}/versions/{version}", tags=["versions"], response_model=schemas.VersionOut
)
def get_version(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    return p.catalog.get_version(name, _version_param(version), principal=me).to_dict()


@router.get(
    "/datasets/{name}/versions/{version}/schema",
    tags=["versions"],
    response_model=schemas.TableSchemaOut,
)
def get_schema(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    return p.catalog.version_detail(name, _version_param(version), principal=me)["schema"]


@router.get(
    "/datasets/{name}/versions/{version}/profile",
    tags=["versions"],
    response_model=schemas.ProfileOut,
)
def get_profile(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    return p.catalog.version_detail(name, _version_param(version), principal=me)["profile"]


@router.get(
    "/datasets/{name}/versions/{version}/problems",
    tags=["versions"],
    response_model=schemas.ProblemsOut,
)
def get_problems(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    problems = p.catalog.version_detail(name, _version_param(version), principal=me)["problems"]
    return {**problems, "items": [problem_in_korean(i) for i in problems.get("items", [])]}


@router.get(
    "/datasets/{name}/versions/{version}/preview",
    tags=["versions"],
    response_model=schemas.PreviewOut,
)
def preview(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
    offset: int = Query(0, ge=0, le=MAX_INT),
    limit: int = Query(50, ge=1, le=1000),
    column: str | None = Query(None, description="Filter on this column (with op)"),
    op: Literal["eq", "contains", "range"] = Query(
        "eq", description="eq: equals value; contains: value inside (any case); range: low–high"
    ),
    value: str | None = Query(None, description="For eq and contains"),
    low: str | None = Query(None, description="For range: the lowest value kept (inclusive)"),
    high: str | None = Query(None, description="For range: the highest value kept (inclusive)"),
    sort: str | None = Query(None, description="Sort by this column (nulls last)"),
    order: Literal["asc", "desc"] = Query("asc"),
) -> dict[str, Any]:
    """Rows of a version, optionally filtered by one column and sorted by another (server-side,
    over its Parquet file); `matched` counts the rows that pass the filter."""
    number = _version_param(version)
    info = p.catalog.get_version(name, number, principal=me)
    filters = (explore.RowFilter(column, op, value, low, high),) if column is not None else ()
    page = explore.explore_rows(
        p.catalog,
        name,
        info.number,
        explore.RowQuery(filters, sort, order == "desc", offset, limit),
        principal=me,
    )
    return {
        "dataset": name,
        "version": info.number,
        "offset": offset,
        "limit": limit,
        "total": info.row_count,
        "matched": page.matched,
        "columns": page.columns,
        "rows": jsonable_encoder(page.rows),
    }


@router.get(
    "/datasets/{name}/versions/{version}/download",
    tags=["versions"],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The version's rows. "
            + "; ".join(f"`{f.name}`: {f.description}" for f in export.EXPORTS.values())
            + ". Spreadsheet formats (CSV, XLSX) neutralise formula injection: a text cell "
            "starting with =, +, -, @, tab or CR gets a leading apostrophe in CSV and is stored "
            "as text in XLSX; Parquet and JSON are exact.",
            "content": {
                export.FORMATS["parquet"]: {"schema": {"type": "string", "format": "binary"}},
                export.FORMATS["csv"]: {"schema": {"type": "string"}},
                export.FORMATS["csv-cp949"]: {"schema": {"type": "string"}},
                export.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                export.FORMATS["json"]: {
                    "schema": {"type": "array", "items": {"type": "object", "title": "Row"}}
                },
            },
        }
    },
)
def download(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
    format: export.Format = "parquet",
) -> StreamingResponse:
    number = _version_param(version)
    info = p.catalog.get_version(name, number, principal=me)
    chunks = p.catalog.download(name, number, format=format, principal=me)
    filename = export.filename(name, info.number, format)
    return StreamingResponse(
        chunks,
        media_type=export.FORMATS[format],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-SHA256": info.content_hash if format == "parquet" else "",
        },
    )


@router.get(
    "/datasets/{name}/versions/{version}/receipt",
    tags=["versions"],
    response_model=schemas.ReceiptOut,
)
def get_receipt(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    """The version's ledger receipt: verify it offline with `datanuri verify RECEIPT FILE --key KEY`."""
    info = p.catalog.get_version(name, _version_param(version), principal=me)
    if info.ledger_index is None:
        raise errors.NotFound(f"Version {info.number} of {name!r} has no ledger entry.")
    return p.ledger.receipt(info.ledger_index)


# ----- jobs ---------------------------------------------------------------------------------
@router.get("/jobs", tags=["jobs"], response_model=list[schemas.JobOut])
def list_jobs(p: PlatformDep, me: PrincipalDep) -> list[dict[str, Any]]:
    """Recent jobs you started or that work on a dataset you may publish to."""
    return [j.to_dict() for j in p.job_views.list_jobs(principal=me)]


@router.get("/jobs/{job_id}", tags=["jobs"], response_model=schemas.JobOut)
def get_job(job_id: str, p: PlatformDep, me: PrincipalDep) -> dict[str, Any]:
    """A job you started or that works on a dataset you may publish to; its row values (problem
    values, previews, reports) only for those who may publish to that dataset."""
    return p.job_views.get_job(job_id, principal=me).to_dict()
