"""Server-rendered pages shared by the browser UI: rendering with Korean/English text, and CSRF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from datanuri import errors
from datanuri.accounts import secrets as sec

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PRELOGIN_CSRF_COOKIE = "datanuri_csrf"


def language(request: Request) -> str:
    """Korean by default; `?lang=en` (or an English-first Accept-Language) switches to English."""
    lang = request.query_params.get("lang")
    if lang in ("ko", "en"):
        return lang
    accept = request.headers.get("accept-language", "")
    return "en" if accept.lower().startswith("en") else "ko"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)

    def t(ko: str, en: str) -> str:
        return ko if lang == "ko" else en

    return templates.TemplateResponse(
        request, template, {"lang": lang, "t": t, **context}, status_code=status
    )


async def check_form_csrf(request: Request, expected: str | None) -> dict[str, Any]:
    """Read a posted form and refuse it unless its `csrf_token` field matches `expected`."""
    form = await request.form()
    sent = str(form.get("csrf_token") or "")
    if not expected or not sent or not sec.same(sent, expected):
        raise errors.PermissionDenied(
            "This form lacks a valid CSRF token. Reload the page and try again."
        )
    return dict(form)
