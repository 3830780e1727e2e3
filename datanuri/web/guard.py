"""The outermost layer of the app: a per-client rate limit on every route (pages, API, ledger,
login) and security headers on every response, including errors.

A pure ASGI middleware, so it neither buffers streamed downloads nor runs inside a route.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from datanuri import errors
from datanuri.web.auth import check_client_rate, limiter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Pages load their scripts and styles from /static only; templates use inline style attributes
# and <style> blocks (the report), never inline scripts.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# /docs and /redoc load Swagger UI and ReDoc from this server (fastapi-offline's copies) and start
# them with an inline script; nothing comes from another site.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
UNLIMITED = ("/static/", "/static-docs/", "/healthz")
CKAN_PATHS = ("/api/3/action/", "/api/action/")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries."""
    csp = DOCS_CSP if path in DOCS_PATHS else CSP
    pairs = [("content-security-policy", csp), *HEADERS.items()]
    return [(k.encode(), v.encode()) for k, v in pairs]


class Guard:
    """Rate-limit each client (by its real address) and add security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = security_headers(path)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in present
                ]
            await send(message)

        if not path.startswith(UNLIMITED):
            request = Request(scope)
            try:
                if limiter(request).blocking:  # shared buckets: a database round trip
                    await run_in_threadpool(check_client_rate, request)
                else:
                    check_client_rate(request)
            except errors.RateLimited as exc:
                response = _limited(request, exc)
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


class WorkerHeader:
    """Name the answering process in an `X-Datanuri-Worker` header (`Config.worker_header`:
    tests and debugging of several processes only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pid = str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-datanuri-worker", self.pid)]
            await send(message)

        await self.app(scope, receive, send_with_pid if scope["type"] == "http" else send)


def _limited(request: Request, exc: errors.RateLimited) -> Response:
    """429 as the caller expects it: a page for a browser, the JSON error shape otherwise."""
    from datanuri.web.errors import error_response

    path = request.url.path
    if not path.startswith(("/api", "/.well-known")) and "text/html" in request.headers.get(
        "accept", ""
    ):
        from datanuri.web.routes_ui import error_page

        response: Response = error_page(request, 429, exc.message)
    elif path.startswith(CKAN_PATHS):  # CKAN clients read CKAN's envelope
        response = JSONResponse(
            {"success": False, "error": {"__type": "Rate Limit Error", "message": exc.message}},
            status_code=exc.status,
        )
    else:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
    response.headers["Retry-After"] = str(int(exc.retry_after))
    return response
