"""The publish message: what lenient mode did with the file's problems, counted exactly.

Rows left out of the table (malformed rows, total rows) are never called "kept"; values kept
in the table are told apart by how (made empty, or their column kept as text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datanuri.tables import IngestResult

Pair = tuple[str, str]


def published_message(name: str, number: int, result: IngestResult) -> Pair:
    """(Korean, English) message of a new version, with its header rows and problem counts."""
    o = result.outcome
    ko = [f"{name!r} 버전 {number}을(를) 게시했습니다: {result.rows:,}행, {len(result.columns)}열."]
    en = [
        f"Published {name!r} version {number}: {result.rows:,} rows, {len(result.columns)} columns."
    ]
    first, last = o.header_lines
    if last > first:
        ko.append(f"머리글 {first}~{last}행을 합쳐 열 이름을 만들었습니다(예: '인구 / 남').")
        en.append(
            f"The header spans rows {first}-{last}; its parts were joined (e.g. '인구 / 남')."
        )
    if first > 1:
        ko.append(f"머리글 위의 {first - 1}행(제목, 단위 등)은 건너뛰었습니다.")
        en.append(f"The {first - 1} row(s) above the header (title, unit, ...) were skipped.")
    if o.dropped_rows:
        malformed = o.dropped_rows - o.total_rows
        ko.append(
            f"{o.dropped_rows:,}행을 표에서 뺐습니다"
            f" (합계 행 {o.total_rows:,}, 형식이 맞지 않는 행 {malformed:,})."
        )
        en.append(
            f"{o.dropped_rows:,} row(s) were left out of the table ({o.total_rows:,} total "
            f"row(s), {malformed:,} malformed)."
        )
    if o.kept_as_null:
        ko.append(f"결측 표시 {o.kept_as_null:,}개는 빈 값(null)으로 두었습니다.")
        en.append(f"{o.kept_as_null:,} missing-value marker(s) were made empty (null).")
    if o.kept_as_text:
        ko.append(f"다른 형식의 값 {o.kept_as_text:,}개 때문에 그 열을 텍스트로 두었습니다.")
        en.append(f"{o.kept_as_text:,} value(s) of another type kept their column as text.")
    if result.problem_count:
        ko.append("자세한 내용은 문제 보고서를 보세요.")
        en.append("See the problem report.")
    return " ".join(ko), " ".join(en)
