"""Map errors to the stable JSON error shape: `{"error": {"code", "message", "details"?}}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException

from datanuri.errors import (
    ConfigError,
    DatanuriError,
    IntegrityError,
    InvalidAccessToken,
    InvalidDpopProof,
    LedgerError,
    NotAuthenticated,
    RateLimited,
    ServiceUnavailable,
)
from datanuri.i18n import translate

log = logging.getLogger("datanuri.web")

MSG_INTERNAL = "Something went wrong on the server; it has been logged. Try again, and report it if it repeats."
MSG_SERVER_FAULT = (
    "The server could not answer because of a fault on its side; it has been logged for the "
    "operator. Try again later, and report it if it repeats."
)
MSG_METHOD = "This route does not accept this method. It accepts: {allow}."


def error_response(status: int, code: str, message: str, details: object = None) -> JSONResponse:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": with_korean(body)}, status_code=status)


def with_korean(error: dict[str, Any]) -> dict[str, Any]:
    """The error with `message_ko` beside its English `message` (and beside each listed row
    problem's), where the message catalogue knows the Korean: pages show it to Korean readers."""
    out = dict(error)
    korean = translate(str(out.get("message") or ""), "ko")
    if korean != out.get("message"):
        out["message_ko"] = korean
    details = out.get("details")
    if isinstance(details, dict) and isinstance(details.get("problems"), list):
        out["details"] = {
            **details,
            "problems": [problem_in_korean(p) for p in details["problems"]],
        }
    return out


def problem_in_korean(problem: Any) -> Any:
    """A row problem with `message_ko` beside its `message`, where the catalogue knows it."""
    if not isinstance(problem, dict) or not isinstance(problem.get("message"), str):
        return problem
    if problem.get("message_ko"):
        return problem  # the engine wrote its own Korean
    korean = translate(problem["message"], "ko")
    return {**problem, "message_ko": korean} if korean != problem["message"] else problem


SERVER_FAULTS = {"internal_error"} | {c.code for c in (ConfigError, IntegrityError, LedgerError)}


def public_error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored error (a failed job's) as a caller may see it: a server fault's own message
    (an exception's text, SQL, a store path) is replaced by the generic one."""
    if error and error.get("code") in SERVER_FAULTS:
        return with_korean({"code": error["code"], "message": MSG_SERVER_FAULT})
    return with_korean(error) if error else error


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path) and route.methods:
            methods |= set(route.methods)
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(DatanuriError)
    async def _datanuri(request: Request, exc: DatanuriError) -> JSONResponse:
        if exc.status >= 500 and not isinstance(exc, ServiceUnavailable):
            # a server fault (a missing or altered blob, the ledger, the configuration): what
            # went wrong, with its paths, is for the operator's log, not for the caller
            log.error("server fault on %s %s: %s", request.method, request.url.path, exc.message)
            return error_response(exc.status, exc.code, MSG_SERVER_FAULT)
        resp = error_response(exc.status, exc.code, exc.message, exc.details)
        if isinstance(exc, RateLimited):
            resp.headers["Retry-After"] = str(int(exc.retry_after))
        if isinstance(exc, InvalidAccessToken | InvalidDpopProof):  # MyData's DPoP tokens
            resp.headers["WWW-Authenticate"] = f'DPoP error="{exc.code}"'
        elif isinstance(exc, NotAuthenticated):
            resp.headers["WWW-Authenticate"] = "Bearer"
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return error_response(422, "invalid_input", f"The request is not valid: {text}", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if (
            exc.status_code == 404
            and not request.url.path.startswith(("/api", "/.well-known"))
            and "text/html" in request.headers.get("accept", "")
        ):
            from datanuri.web.routes_ui import error_page  # a browser gets the friendly page

            return error_page(request, 404)
        code = {
            404: "not_found",
            405: "method_not_allowed",
            400: "bad_request",
            413: "too_large",
        }.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "No such API route. See /docs for the list of routes."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
            message = MSG_METHOD.format(allow=headers["Allow"])
        resp = error_response(exc.status_code, code, message)
        resp.headers.update(headers)
        return resp

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return error_response(500, "internal_error", MSG_INTERNAL)
