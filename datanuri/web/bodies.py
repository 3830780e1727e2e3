"""Bounds on JSON request bodies, checked once at the edge before any route parses them:
size, nesting depth, and text no database stores (NUL, lone UTF-16 surrogates).

Deep nesting would exhaust Python's recursion in the JSON parser (a server error), a lone
surrogate cannot be encoded as UTF-8 and NUL is refused by PostgreSQL; each is answered with a
clear 4xx instead, in the CKAN error shape on the CKAN routes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import JSONResponse

MAX_JSON_BYTES = 8 * 1024**2
MAX_DEPTH = 64
CKAN_PREFIXES = ("/api/3/action", "/api/action")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")

MSG_TOO_LARGE = "The JSON body is {size:,} bytes; at most {limit:,} are accepted."
MSG_TOO_DEEP = (
    "The JSON body is nested more than {limit} levels deep; no request of this API needs that. "
    "Send a flatter document."
)
MSG_NOT_JSON = "The body is not valid JSON: {problem}."
MSG_NUL = "Text in the request contains a NUL character (\\u0000) at {where}; remove it."
MSG_SURROGATE = (
    "Text in the request at {where} holds a lone UTF-16 surrogate (e.g. \\ud800), which is not a "
    "character; send valid Unicode text."
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings skipped)."""
    deepest = level = 0
    for m in _BRACKET.finditer(_STRING.sub(b'""', body)):
        level += 1 if m.group() in (b"[", b"{") else -1
        deepest = max(deepest, level)
    return deepest


def _bad_text(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return MSG_NUL.format(where=where)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return MSG_SURROGATE.format(where=where)
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            problem = _bad_text(k, where) or _bad_text(v, f"{where}.{k}")
            if problem:
                return problem
    elif isinstance(value, list):
        for i, v in enumerate(value):
            problem = _bad_text(v, f"{where}[{i}]")
            if problem:
                return problem
    return None


def problem(body: bytes) -> tuple[int, str] | None:
    """Why a JSON body is refused, as (status, message); None when it may go on."""
    if len(body) > MAX_JSON_BYTES:
        return 413, MSG_TOO_LARGE.format(size=len(body), limit=MAX_JSON_BYTES)
    if depth(body) > MAX_DEPTH:
        return 400, MSG_TOO_DEEP.format(limit=MAX_DEPTH)
    try:
        data = json.loads(body)
    except ValueError as e:
        return 400, MSG_NOT_JSON.format(problem=e)
    found = _bad_text(data, "body")
    return None if found is None else (422, found)


def _is_json(scope: Scope, head: bytes) -> bool:
    ctype = dict(scope.get("headers") or []).get(b"content-type", b"").lower()
    if b"json" in ctype:
        return True
    return not ctype.startswith((b"multipart/", b"application/x-www-form")) and head[:1] in (
        b"{",
        b"[",
    )


class JsonBodyGuard:
    """ASGI middleware: buffers a JSON request body, refuses it if `problem` says so, otherwise
    hands the same bytes to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        first = await receive()
        chunks = [first.get("body", b"")]
        more = first.get("more_body", False)
        if not _is_json(scope, chunks[0].lstrip()):
            await self.app(scope, _replay([first], receive), send)
            return
        messages = [first]
        size = len(chunks[0])
        while more:
            msg = await receive()
            messages.append(msg)
            chunks.append(msg.get("body", b""))
            size += len(chunks[-1])
            more = msg.get("more_body", False)
            if size > MAX_JSON_BYTES:
                break
        body = b"".join(chunks)
        found = problem(body) if body.strip() else None
        if found is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        status, message = found
        await _refuse(scope, status, message)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def again() -> Message:
        return pending.pop(0) if pending else await receive()

    return again


def _refuse(scope: Scope, status: int, message: str) -> JSONResponse:
    if str(scope.get("path", "")).startswith(CKAN_PREFIXES):
        return JSONResponse(
            {"success": False, "error": {"__type": "Validation Error", "message": message}},
            status_code=409 if status == 422 else status,
        )
    code = {413: "too_large", 400: "bad_request"}.get(status, "invalid_input")
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
