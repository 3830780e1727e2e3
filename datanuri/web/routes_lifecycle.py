"""Console actions over a dataset's life: delete it while it has no version, withdraw a
version with a reason. Each is one service call; the service checks who may."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.web import ui_text
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import (
    WebUserDep,
    _back,
    _dataset_page,
    login_redirect,
    service_error_page,
)
from datanuri.web.routes_ui import UIRoute

router = APIRouter(route_class=UIRoute, include_in_schema=False)

MSG_REASON_EMPTY: ui_text.Pair = (
    "철회 사유를 적으세요. 사유는 버전 페이지에 보이고 무결성 원장에 남습니다.",
    "Say why the version is withdrawn: the reason is shown on its page and kept in the ledger.",
)


@router.post("/console/datasets/{name}/delete", response_class=HTMLResponse)
async def delete_dataset(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    try:
        await run_in_threadpool(lambda: platform.catalog.delete_dataset(name, principal=who.me))
    except (errors.Conflict, errors.PermissionDenied) as exc:
        return await service_error_page(
            request,
            platform,
            who,
            name,
            exc,
            "lifecycle_error",
        )
    return _back(request, "/console")


@router.post("/console/datasets/{name}/versions/{version}/withdraw", response_class=HTMLResponse)
async def withdraw_version(
    request: Request, name: str, version: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    reason = str(form.get("reason") or "").strip()
    error: str | None = None
    status = 422
    if not reason:
        error = ui_text.say(MSG_REASON_EMPTY, language(request))
    else:
        try:
            await run_in_threadpool(
                lambda: platform.catalog.withdraw_version(
                    name, version, reason=reason, principal=who.me
                )
            )
        except (
            errors.InvalidInput,
            errors.Conflict,
            errors.PermissionDenied,
            errors.NotFound,
        ) as exc:
            error = f"{ui_text.say(ui_text.MSG_SERVICE_ERROR, language(request))} {exc.message}"
            status = exc.status
    if error is not None:
        return await run_in_threadpool(
            partial(
                _dataset_page,
                request,
                platform,
                who,
                name,
                status=status,
                lifecycle_error=error,
                withdraw_reason=reason,
            )
        )
    return _back(request, f"/console/datasets/{name}")
