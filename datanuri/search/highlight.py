"""Highlighted snippets: the part of a text around the first query match, with <mark> tags."""

from __future__ import annotations

import html
import re

from datanuri.search.analysis import LATIN_RE


def _pattern(forms: list[str]) -> re.Pattern[str] | None:
    pieces = []
    for f in forms:
        esc = re.escape(f)
        # An English stem ("measur") marks the whole word ("measurements").
        pieces.append(esc + r"[a-z]*" if LATIN_RE.match(f) else esc)
    return re.compile("|".join(pieces), re.IGNORECASE) if pieces else None


def snippet(text: str, forms: list[str], *, width: int = 160) -> str:
    """HTML-escaped `text` cut to about `width` characters around the first match, matches marked."""
    text = " ".join((text or "").split())
    pat = _pattern(forms)
    matches = list(pat.finditer(text)) if pat else []
    start = 0
    if matches and len(text) > width:
        start = max(0, matches[0].start() - width // 3)
    end = min(len(text), start + width)
    out, pos = [], start
    for m in matches:
        if m.start() < pos or m.end() > end:
            continue
        out.append(html.escape(text[pos : m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    body = "".join(out).replace("</mark><mark>", "")
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
