"""Header clean-up: trimmed names, `column_N` for empty ones, `name_2` for duplicates."""

from __future__ import annotations

from collections.abc import Sequence


def clean_names(raw: Sequence[object]) -> list[str]:
    """Trimmed, non-empty, unique column names (Korean and other text kept as is)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, v in enumerate(raw, start=1):
        name = "" if v is None else " ".join(str(v).replace("\ufeff", "").split())
        if not name:
            name = f"column_{i}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        out.append(name)
    return out
