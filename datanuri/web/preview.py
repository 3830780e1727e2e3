"""The dataset page's preview: rows filtered, sorted and paged on the server, a quick chart of a
chosen column and a map, from plain query parameters (a form and links; no script needed).

Rows come through `catalog.explore` with the caller's principal, so whoever may not read a
version's rows gets the same refusal as the plain preview."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from datanuri.accounts import Principal
from datanuri.catalog import explore
from datanuri.catalog.explore import RowFilter, RowQuery
from datanuri.platform import Platform
from datanuri.web import koreamap

PREVIEW_ROWS = 20
#: Query parameters of the preview form (kept across its links).
PARAMS = ("fc", "fo", "fv", "flo", "fhi", "sort", "order", "chart")


@dataclass(frozen=True)
class PreviewState:
    """What the visitor asked of the preview: one filter, a sort, a page and a chart column."""

    column: str = ""
    op: str = "eq"
    value: str = ""
    low: str = ""
    high: str = ""
    sort: str = ""
    descending: bool = False
    page: int = 1
    chart: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str], page: int) -> PreviewState:
        def get(key: str) -> str:
            return (params.get(key) or "").strip()[:200]

        op = get("fo") or "eq"
        return cls(
            column=get("fc"),
            op=op if op in explore.OPS else "eq",
            value=get("fv"),
            low=get("flo"),
            high=get("fhi"),
            sort=get("sort"),
            descending=get("order") == "desc",
            page=page,
            chart=get("chart"),
        )

    @property
    def filters(self) -> tuple[RowFilter, ...]:
        if not self.column:
            return ()
        given = (self.low, self.high) if self.op == "range" else (self.value,)
        if not any(given):
            return ()
        return (
            RowFilter(
                self.column,
                self.op,  # type: ignore[arg-type]
                self.value or None,
                self.low or None,
                self.high or None,
            ),
        )

    @property
    def active(self) -> bool:
        return bool(self.filters or self.sort)

    def query(self) -> RowQuery:
        return RowQuery(
            self.filters,
            self.sort or None,
            self.descending,
            (self.page - 1) * PREVIEW_ROWS,
            PREVIEW_ROWS,
        )

    def params(self, **change: Any) -> dict[str, Any]:
        """The query parameters of this state, with some changed (None drops one)."""
        out: dict[str, Any] = {
            "fc": self.column if self.filters else None,
            "fo": self.op if self.filters and self.op != "eq" else None,
            "fv": self.value if self.filters and self.op != "range" else None,
            "flo": self.low if self.filters and self.op == "range" else None,
            "fhi": self.high if self.filters and self.op == "range" else None,
            "sort": self.sort or None,
            "order": "desc" if self.sort and self.descending else None,
            "chart": self.chart or None,
        }
        out.update(change)
        return out


def chart_as_profile(chart: explore.ColumnChart) -> dict[str, Any]:
    """A chart in the shape of a profiled column, so the profile's chart geometry draws it."""
    if chart.kind == "histogram":
        if not chart.bars:
            return {}
        edges = [b.low for b in chart.bars] + [chart.bars[-1].high]
        return {"histogram": {"edges": edges, "counts": [b.count for b in chart.bars]}}
    return {"top_values": [{"value": b.label, "count": b.count} for b in chart.bars]}


def preview_context(
    platform: Platform,
    me: Principal,
    name: str,
    number: int,
    row_count: int,
    state: PreviewState,
    *,
    lang: str,
    draw_chart: Callable[[dict[str, Any]], dict[str, Any] | None],
) -> dict[str, Any]:
    """Template values of the preview section; raises PermissionDenied/NotAuthenticated for
    callers who may not read the rows (the page then says so)."""
    path = platform.catalog.parquet_path(name, number, principal=me, purpose="preview")
    kinds = explore.column_kinds(path)
    problem = explore.check_query(state.query(), kinds)
    if problem is not None:  # say what is wrong, in the page's language, and show all rows
        state = PreviewState(page=1, chart=state.chart if state.chart in kinds else "")
    page = explore.query_rows(path, state.query())
    pages = max(1, math.ceil(page.matched / PREVIEW_ROWS))
    if state.page > pages:  # past the end of the filtered rows: show their last page
        state = PreviewState(**{**state.__dict__, "page": pages})
        page = explore.query_rows(path, state.query())
    chart = None
    if state.chart in kinds:
        data = explore.chart_column(path, state.chart, state.filters)
        chart = {
            "column": state.chart,
            "draw": draw_chart(chart_as_profile(data)),
            "distinct": data.distinct,
        }
    mapped = explore.map_data(path, state.filters)
    map_ctx: dict[str, Any] | None = None
    if mapped.points:
        map_ctx = {
            "kind": "points",
            "geometry": koreamap.point_map(mapped.points),
            "lat": mapped.lat,
            "lon": mapped.lon,
            "shown": len(mapped.points),
            "total": mapped.points_total,
        }
    elif mapped.regions:
        map_ctx = {
            "kind": "regions",
            "geometry": koreamap.tile_map(
                {k: v for k, v in mapped.regions.items() if ":" not in k}, lang=lang
            ),
            "columns": mapped.region_columns,
        }
    return {
        "preview": {"columns": page.columns, "rows": page.rows},
        "preview_state": state,
        "preview_kinds": kinds,
        "preview_matched": page.matched,
        "preview_filtered": bool(state.filters),
        "preview_problem": None if problem is None else problem[0 if lang == "ko" else 1],
        "preview_page": state.page,
        "preview_pages": pages,
        "preview_first": page.offset + 1,
        "preview_chart": chart,
        "preview_map": map_ctx,
        "rows_total": row_count,
    }
