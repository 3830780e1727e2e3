"""Undecodable URLs get a clear 400, never a 500 or a guessed meaning.

A URL's path and query must be ASCII, with non-ASCII text percent-encoded as UTF-8 (RFC 3986).
Clients that send raw bytes (`curl 'http://host/api/3/action/package_search?q=대기질'`) or a
broken escape (`%FF`, `%ED%95`, `%zz`) get a 400 that says how to encode the URL: JSON on API
routes, the CKAN envelope on CKAN routes, a page in the reader's language elsewhere.

`UrlCheck` (a pure ASGI middleware) checks what reaches the app; `web/server.py` answers the same
way when the HTTP parser itself refuses a request line holding raw non-ASCII bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CODE = "bad_url"
MSG_BAD_URL: tuple[str, str] = (
    "주소(URL)를 해석할 수 없습니다. 한글 등 ASCII가 아닌 문자는 UTF-8로 퍼센트 인코딩해서 보내세요 "
    "(예: curl -G --data-urlencode 'q=대기질' URL, 또는 q=%EB%8C%80%EA%B8%B0%EC%A7%88).",
    "The address (URL) cannot be decoded. Send Korean and other non-ASCII text percent-encoded as "
    "UTF-8 (e.g. curl -G --data-urlencode 'q=대기질' URL, or q=%EB%8C%80%EA%B8%B0%EC%A7%88).",
)
CKAN_PATHS = ("/api/3/action/", "/api/action/")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def decodable(raw: bytes) -> bool:
    """Whether a raw path or query string is ASCII whose percent-escapes are well formed and
    decode to UTF-8 ("+" and unreserved characters are fine)."""
    if not raw.isascii() or _BAD_ESCAPE.search(raw):
        return False
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def bad_url_message() -> str:
    """The one message, Korean first then English."""
    return f"{MSG_BAD_URL[0]} {MSG_BAD_URL[1]}"


def bad_url_json(path: str) -> dict[str, Any]:
    """The JSON body of the 400: the CKAN envelope on CKAN routes, the API's error shape elsewhere."""
    ko, en = MSG_BAD_URL
    if path.startswith(CKAN_PATHS):
        return {
            "success": False,
            "error": {"__type": "Validation Error", "message": bad_url_message()},
        }
    return {
        "error": {
            "code": CODE,
            "message": bad_url_message(),
            "details": {"ko": ko, "en": en},
        }
    }


def wants_page(path: str, accept: str) -> bool:
    """A browser asking for a page (not an API route) gets HTML; everyone else JSON."""
    return not path.startswith(("/api", "/.well-known")) and "text/html" in accept


def bad_url_response(request: Request) -> Response:
    """The 400 for an undecodable URL, in the form the caller reads."""
    path = request.scope.get("path", "")
    if wants_page(path, request.headers.get("accept", "")):
        from datanuri.web.pages import language
        from datanuri.web.routes_ui import error_page

        ko, en = MSG_BAD_URL
        return error_page(request, 400, ko if language(request) == "ko" else en)
    return JSONResponse(bad_url_json(path), status_code=400)


def bad_url_bytes(path: str) -> bytes:
    """The JSON body answered before any route runs (the parser refused the request line)."""
    return json.dumps(bad_url_json(path), ensure_ascii=False).encode("utf-8")


class UrlCheck:
    """Answer 400 to a request whose path or query string cannot be decoded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or b""  # servers that omit it sent a decoded path
            if not (decodable(raw_path) and decodable(scope.get("query_string", b""))):
                # the query string is dropped: it is not readable, and pages read `lang` from it
                safe = {**scope, "query_string": b""}
                response = bad_url_response(Request(safe))
                await response(safe, receive, send)
                return
        await self.app(scope, receive, send)
