"""URL-safe names for organizations, datasets and keys: checked, or suggested from free text."""

from __future__ import annotations

import re
import unicodedata

from datanuri.errors import InvalidInput

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")


def slugify(text: str) -> str:
    """A URL-safe suggestion from free text (ASCII letters, digits and dashes)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100]


def check_name(name: str, what: str = "dataset") -> str:
    """Return `name` if it is URL-safe, else raise an error that suggests one."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        hint = slugify(name or "")
        suggestion = f" For example: {hint!r}." if hint and NAME_RE.match(hint) else ""
        raise InvalidInput(
            f"{what.capitalize()} name {name!r} is not URL-safe: use 2 to 100 lowercase letters, digits, "
            f"'-' or '_', starting with a letter or digit.{suggestion}"
        )
    return name
