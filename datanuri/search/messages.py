"""Messages of synonym editing and official organisations, each as (Korean, English).

Services raise errors with the English text (the API's language, as everywhere). Tests import
these names."""

from __future__ import annotations

Pair = tuple[str, str]

MSG_SYN_TOO_FEW: Pair = (
    "동의어 묶음에는 서로 다른 낱말이 둘 이상 있어야 합니다. 예: 대기질 공기질",
    "A synonym set needs at least two different terms, e.g. 대기질 공기질.",
)
MSG_SYN_TOO_MANY: Pair = (
    "동의어 묶음 하나에는 낱말을 {n}개까지 넣을 수 있습니다. 묶음을 나누세요.",
    "A synonym set holds at most {n} terms; split it.",
)
MSG_SYN_BAD_TERM: Pair = (
    "동의어 {term!r}은(는) 쓸 수 없습니다. 글자나 숫자로 된 {words}낱말 이하, {chars}자 이하로 쓰세요.",
    "The synonym {term!r} cannot be used: write at most {words} words of letters or digits, "
    "{chars} characters at most.",
)
MSG_SYN_NOT_FOUND: Pair = (
    "{term!r}은(는) 어느 동의어 묶음에도 없습니다. `datanuri search synonyms list`로 확인하세요.",
    "{term!r} is in no synonym set; see them with `datanuri search synonyms list`.",
)
