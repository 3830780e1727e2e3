"""Long-running API actions: run as a background job (202 with a status URL), or, with
`?wait=true`, run before answering with the job's outcome. One helper for every such route."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from datanuri.platform import Platform
from datanuri.web.errors import MSG_SERVER_FAULT, SERVER_FAULTS, public_error
from datanuri.web.schemas import JobFailedOut, Out


def job_responses(done: type[Out]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of a `run_job` route besides its 202: `done` with `?wait=true`."""
    return {
        200: {"model": done, "description": "With `?wait=true`: done, nothing new was made"},
        201: {"model": done, "description": "With `?wait=true`: done, and something new was made"},
        422: {"model": JobFailedOut, "description": "With `?wait=true`: the job failed"},
    }


async def run_job(
    p: Platform,
    kind: str,
    params: Any,
    *,
    actor: str,
    scopes: Iterable[str] | None,
    wait: bool,
    created: Callable[[dict[str, Any]], bool],
    dataset: str | None = None,
    input_blob: str | None = None,
) -> JSONResponse:
    """Queue a job of `kind` with its parameters dataclass (about `dataset`, whose rules decide
    who sees it), for the caller named `actor` with its token's `scopes`, and answer 202 with
    its status URL; with `wait`, run it in this request's thread through the same handler and
    answer with its whole result (the caller ran it) and the job: 201 when `created(result)`,
    else 200, 422 if it failed (500 if it crashed), or 202 as without `wait` when a transient
    failure left it waiting for a worker's retry past `QueueSettings.inline_wait`."""
    job: dict[str, Any] = {
        "actor": actor,
        "scopes": scopes,
        "dataset": dataset,
        "input_blob": input_blob,
    }
    if not wait:
        info = await run_in_threadpool(lambda: p.jobs.submit(kind, params, **job))
        return JSONResponse(
            {"job": info.to_dict(), "status_url": f"/api/v1/jobs/{info.id}"}, status_code=202
        )
    info = await run_in_threadpool(lambda: p.jobs.run_inline(kind, params, **job))
    if info.status not in ("succeeded", "failed"):  # waiting for a worker's retry
        return JSONResponse(
            jsonable_encoder({"job": info.to_dict(), "status_url": f"/api/v1/jobs/{info.id}"}),
            status_code=202,
        )
    if info.status == "failed":
        err = public_error(info.error) or {}
        job_out = {**info.to_dict(), "error": err}
        if err.get("message") == MSG_SERVER_FAULT:
            job_out["message"] = MSG_SERVER_FAULT
        return JSONResponse(
            jsonable_encoder({"error": err, "job": job_out}),
            status_code=500 if err.get("code") in SERVER_FAULTS else 422,
        )
    result = info.result or {}
    return JSONResponse(
        jsonable_encoder({**result, "job": info.to_dict()}),
        status_code=201 if created(result) else 200,
    )
