"""Server-rendered pages shared by the browser UI: rendering with Korean/English text, and CSRF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from datanuri import errors
from datanuri.accounts import secrets as sec
from datanuri.i18n import translate

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PRELOGIN_CSRF_COOKIE = "datanuri_csrf"
KST = ZoneInfo("Asia/Seoul")  # the portal shows times as people in Korea read them


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

    def say(message: object) -> str:
        """An engine's English message in the page's language, from the message catalogue."""
        return translate(str(message or ""), lang)

    def when(value: str | dt.datetime | None) -> str:
        return fmt_date(value, lang)

    return templates.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": t, "say": say, "fmt_date": when, **context},
        status_code=status,
    )


def fmt_date(value: str | dt.datetime | None, lang: str) -> str:
    """A stored time (UTC) as people in Korea read it: Korean Standard Time, in the page's
    language ("2026년 12월 3일 21:10"); text that is not a time is shown as it is."""
    if not value:
        return ""
    try:
        when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    pattern = "yyyy년 M월 d일 HH:mm" if lang == "ko" else "d MMM yyyy, HH:mm 'KST'"
    return format_datetime(when, pattern, tzinfo=KST, locale="ko_KR" if lang == "ko" else "en_GB")


async def check_form_csrf(request: Request, expected: str | None) -> dict[str, Any]:
    """Read a posted form and refuse it unless its `csrf_token` field matches `expected`."""
    form = await request.form()
    sent = str(form.get("csrf_token") or "")
    if not expected or not sent or not sec.same(sent, expected):
        raise errors.PermissionDenied(
            "This form lacks a valid CSRF token. Reload the page and try again."
        )
    return dict(form)
