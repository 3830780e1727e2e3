"""The richer metadata's doors: the console forms (metadata with coverage pickers, column
notes, answering feedback), the public page's 문의/오류 신고 form, and the API of counts and
column notes. Every change goes through a service with the caller's principal."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from datanuri import errors
from datanuri.catalog.attachments import MAX_BYTES as MAX_DOC_BYTES
from datanuri.web import schemas
from datanuri.web.auth import PublishCaller, ReadCaller, session_principal
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.metadata_views import META_FIELDS
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import (
    MAX_TEXT,
    WebUserDep,
    _back,
    _dataset_page,
    _msg,
    login_redirect,
    service_error_page,
)
from datanuri.web.routes_ui import CallerDep, UIRoute

router = APIRouter(include_in_schema=False, route_class=UIRoute)
api_router = APIRouter()


def parse_codes(text: str) -> list[list[str]]:
    """A code table typed one row a line, "code = meaning" (or a tab between them)."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        sep = "\t" if "\t" in line else "="
        code, _, meaning = line.partition(sep)
        rows.append([code.strip(), meaning.strip()])
    return rows


# ----- console: metadata, column notes, feedback ------------------------------------------------
@router.post("/console/datasets/{name}/metadata", response_class=HTMLResponse)
async def change_metadata(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    form = await request.form()  # parsed once; getlist for the region checkboxes
    values: dict[str, Any] = {k: str(form.get(k) or "").strip()[:MAX_TEXT] for k in META_FIELDS}
    values["regions"] = [str(r) for r in form.getlist("regions")][:1000]
    fields = dict(values)
    fields["keywords"] = [
        k for k in (x.strip() for x in values["keywords"].replace("，", ",").split(",")) if k
    ]
    try:
        await run_in_threadpool(
            lambda: platform.catalog.update_dataset(name, principal=who.me, **fields)
        )
    except (errors.InvalidInput, errors.PermissionDenied) as exc:
        return await service_error_page(
            request,
            platform,
            who,
            name,
            exc,
            "meta2_error",
            meta2=values,
        )
    return _back(request, f"/console/datasets/{name}", saved="meta")


@router.post("/console/datasets/{name}/columns", response_class=HTMLResponse)
async def change_column_note(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    column = str(form.get("column") or "")[:MAX_TEXT]
    codes_text = str(form.get("codes") or "")[: MAX_TEXT * 20]
    note = {
        "description": str(form.get("description") or "")[:MAX_TEXT],
        "unit": str(form.get("unit") or "")[:MAX_TEXT],
        "codes": parse_codes(codes_text),
    }
    try:
        await run_in_threadpool(
            lambda: platform.catalog.set_column_note(name, column, note, principal=who.me)
        )
    except (errors.InvalidInput, errors.PermissionDenied, errors.NotFound) as exc:
        return await run_in_threadpool(
            partial(
                _dataset_page,
                request,
                platform,
                who,
                name,
                status=exc.status,
                note_error=(column, f"{_msg(request, 'MSG_SERVICE_ERROR')} {exc.message}"),
            )
        )
    return RedirectResponse(
        f"/console/datasets/{name}?lang={language(request)}&saved=meta#notes-h", status_code=303
    )


@router.post("/console/feedback", response_class=HTMLResponse)
async def handle_feedback(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    raw_id = str(form.get("feedback_id") or "")
    if not raw_id.isdigit() or len(raw_id) > 18:
        raise errors.InvalidInput("Choose a feedback to answer.")
    answer = form.get("answer")
    info = await run_in_threadpool(
        lambda: platform.feedback.handle(
            int(raw_id),
            status=str(form.get("status") or ""),
            answer=None if answer is None else str(answer)[:MAX_TEXT],
            principal=who.me,
        )
    )
    return RedirectResponse(
        f"/console/datasets/{info.dataset}?lang={language(request)}#inbox-h", status_code=303
    )


# ----- the public page's 문의/오류 신고 ---------------------------------------------------------
@router.post("/datasets/{name}/feedback", response_class=HTMLResponse)
async def send_feedback(request: Request, name: str, platform: PlatformDep) -> Response:
    found = session_principal(request)
    if found is None or found[0].user_id is None:
        return login_redirect(request)
    me, csrf = found
    form = await check_form_csrf(request, csrf)
    await run_in_threadpool(
        lambda: platform.feedback.send(
            name,
            kind=str(form.get("kind") or ""),
            text=str(form.get("text") or "")[:MAX_TEXT],
            contact=str(form.get("contact") or "")[:320],
            principal=me,
        )
    )
    return RedirectResponse(
        f"/datasets/{name}?lang={language(request)}&sent=1#feedback", status_code=303
    )


# ----- API ------------------------------------------------------------------------------------
class ColumnNoteIn(BaseModel):
    column: str
    description: str = ""
    unit: str = ""
    codes: list[list[str]] = Field([], description="[code, meaning] pairs (코드정의서)")


@api_router.get("/datasets/{name}/counts", tags=["datasets"], response_model=schemas.CountsOut)
def dataset_counts(name: str, p: PlatformDep, me: ReadCaller) -> dict[str, Any]:
    """How often the dataset's page was viewed and its data downloaded."""
    p.catalog.get_dataset(name, principal=me)  # "not found" for what the caller may not see
    c = p.counts.get(name, principal=me)
    return {"dataset": name, "views": c.views, "downloads": c.downloads}


@api_router.put(
    "/datasets/{name}/column-notes", tags=["datasets"], response_model=schemas.DatasetOut
)
def put_column_note(
    name: str, body: ColumnNoteIn, p: PlatformDep, me: PublishCaller
) -> dict[str, Any]:
    """Describe one column: description, unit and code table (an empty note removes it)."""
    note = body.model_dump(exclude={"column"})
    return p.catalog.set_column_note(name, body.column, note, principal=me).to_dict()


# ----- attached documents ---------------------------------------------------------------------
@router.post("/console/datasets/{name}/documents", response_class=HTMLResponse)
async def attach_document(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        raise errors.InvalidInput("Choose a document to attach.")
    tmp = platform.blobs.temp_path(".doc")
    try:
        size = 0
        with open(tmp, "wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > MAX_DOC_BYTES:
                    raise errors.TooLarge(
                        f"The document is larger than {MAX_DOC_BYTES:,} bytes; attach a smaller one."
                    )
                out.write(chunk)
        filename = upload.filename
        try:
            await run_in_threadpool(
                lambda: platform.attachments.attach(name, tmp, filename=filename, principal=who.me)
            )
        except (errors.InvalidInput, errors.PermissionDenied, errors.Conflict) as exc:
            return await service_error_page(
                request,
                platform,
                who,
                name,
                exc,
                "doc_error",
            )
    finally:
        tmp.unlink(missing_ok=True)
    return RedirectResponse(
        f"/console/datasets/{name}?lang={language(request)}#docs-h", status_code=303
    )


@router.post("/console/datasets/{name}/documents/remove", response_class=HTMLResponse)
async def remove_document(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    raw = str(form.get("document_id") or "")
    if not raw.isdigit() or len(raw) > 18:
        raise errors.InvalidInput("Choose a document to remove.")
    await run_in_threadpool(lambda: platform.attachments.remove(name, int(raw), principal=who.me))
    return RedirectResponse(
        f"/console/datasets/{name}?lang={language(request)}#docs-h", status_code=303
    )


@router.get("/datasets/{name}/documents/{document_id}")
def download_document(
    request: Request, name: str, document_id: RowId, platform: PlatformDep, caller: CallerDep
) -> FileResponse:
    """An attached document, for whoever may see the dataset's metadata."""
    info, path = platform.attachments.path(name, document_id, principal=caller.me)
    return FileResponse(
        path,
        media_type=info.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(info.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
