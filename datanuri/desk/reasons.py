"""Why an organisation is suggested for a request, as (Korean, English) texts (pure)."""

from __future__ import annotations

from collections.abc import Sequence

Pair = tuple[str, str]

MSG_CATALOG: Pair = (
    "보유 데이터셋 {n}건이 '{term}'{josa} 일치",
    "{n} of its datasets match '{term}'",
)
MSG_CATALOG_ONE: Pair = (
    "보유 데이터셋 1건이 '{term}'{josa} 일치",
    "1 of its datasets matches '{term}'",
)
MSG_THEME: Pair = (
    "'{theme}' 분야 데이터셋 {n}건 보유",
    "holds {n} {datasets} in the theme '{theme_en}'",
)
MSG_REGION: Pair = (
    "{region} 지역을 다루는 데이터셋 {n}건 보유",
    "holds {n} {datasets} covering {region_en}",
)
MSG_PAST: Pair = (
    "비슷한 요청 {n}건에 답한 적 있음 ({shared})",
    "answered {n} similar {requests} before ({shared})",
)


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def josa_wa(word: str) -> str:
    """The particle 와/과 after `word` (과 after a final consonant); 와(과) when it cannot tell."""
    last = word[-1:] if word else ""
    if "\uac00" <= last <= "\ud7a3":
        return "과" if (ord(last) - 0xAC00) % 28 else "와"
    return "와(과)"


def catalog_reason(term: str, n: int) -> Pair:
    ko, en = MSG_CATALOG_ONE if n == 1 else MSG_CATALOG
    return (ko.format(n=n, term=term, josa=josa_wa(term)), en.format(n=n, term=term))


def theme_reason(theme: str, theme_en: str, n: int) -> Pair:
    return (
        MSG_THEME[0].format(theme=theme, n=n),
        MSG_THEME[1].format(theme_en=theme_en, n=n, datasets=_plural(n, "dataset")),
    )


def region_reason(region: str, region_en: str, n: int) -> Pair:
    return (
        MSG_REGION[0].format(region=region, n=n),
        MSG_REGION[1].format(region_en=region_en, n=n, datasets=_plural(n, "dataset")),
    )


def past_reason(n: int, shared: Sequence[str]) -> Pair:
    words = ", ".join(f"'{w}'" for w in shared[:3])
    return (
        MSG_PAST[0].format(n=n, shared=words),
        MSG_PAST[1].format(n=n, shared=words, requests=_plural(n, "request")),
    )
