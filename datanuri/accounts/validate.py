"""Checks on user-supplied account fields: e-mail, display names, passwords, roles."""

from __future__ import annotations

import re
import unicodedata

from datanuri.errors import InvalidInput

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s.]{2,63}$")
ORG_ROLES = ("owner", "editor", "member", "reviewer")  # reviewer: AI contests (decisions)
PLATFORM_ROLES = ("admin", "auditor", "reviewer")
SCOPES = ("read", "publish", "admin")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


def clean_email(email: str) -> str:
    e = unicodedata.normalize("NFC", (email or "").strip()).lower()
    if len(e) > 320 or not EMAIL_RE.match(e):
        raise InvalidInput(f"{email[:80]!r} is not an e-mail address like name@example.org.")
    return e


def clean_display_name(name: str) -> str:
    n = unicodedata.normalize("NFC", (name or "").strip())
    if not n:
        raise InvalidInput("A display name cannot be empty.")
    if len(n) > 200:
        raise InvalidInput(
            f"A display name can have at most 200 characters; this one has {len(n)}."
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in n):
        raise InvalidInput(
            "A display name cannot contain control or invisible formatting characters."
        )
    return n


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"A password can have at most {MAX_PASSWORD} characters.")
    return password


def check_choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(f"{what} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def check_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    out = sorted(set(scopes))
    bad = [s for s in out if s not in SCOPES]
    if bad or not out:
        raise InvalidInput(
            f"Token scopes must be some of {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}."
        )
    return out
