"""Exploring a version under /api/v1: a quick chart of one column and what to map, over the
rows that pass an optional filter (the same one the preview takes)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query

from datanuri.catalog import explore
from datanuri.web import schemas
from datanuri.web.auth import PrincipalDep
from datanuri.web.deps import PlatformDep
from datanuri.web.routes_catalog import _version_param

router = APIRouter()


def _filters(
    column: str | None, op: str, value: str | None, low: str | None, high: str | None
) -> tuple[explore.RowFilter, ...]:
    return (explore.RowFilter(column, op, value, low, high),) if column is not None else ()  # type: ignore[arg-type]


@router.get(
    "/datasets/{name}/versions/{version}/chart", tags=["versions"], response_model=schemas.ChartOut
)
def chart(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
    chart_column: str = Query(..., alias="chart", description="The column to chart"),
    column: str | None = Query(None, description="Filter on this column (as the preview)"),
    op: Literal["eq", "contains", "range"] = Query("eq"),
    value: str | None = Query(None),
    low: str | None = Query(None),
    high: str | None = Query(None),
) -> dict[str, Any]:
    """A histogram (numbers, dates) or the most frequent values (others) of one column."""
    info = p.catalog.get_version(name, _version_param(version), principal=me)
    data = explore.explore_chart(
        p.catalog,
        name,
        info.number,
        chart_column,
        _filters(column, op, value, low, high),
        principal=me,
    )
    return {
        "dataset": name,
        "version": info.number,
        "column": data.column,
        "kind": data.kind,
        "bars": [b.__dict__ for b in data.bars],
        "distinct": data.distinct,
    }


@router.get(
    "/datasets/{name}/versions/{version}/map", tags=["versions"], response_model=schemas.MapOut
)
def map_(
    name: str,
    version: str,
    p: PlatformDep,
    me: PrincipalDep,
    column: str | None = Query(None, description="Filter on this column (as the preview)"),
    op: Literal["eq", "contains", "range"] = Query("eq"),
    value: str | None = Query(None),
    low: str | None = Query(None),
    high: str | None = Query(None),
) -> dict[str, Any]:
    """The positions of a table with latitude/longitude columns, else its rows per region."""
    info = p.catalog.get_version(name, _version_param(version), principal=me)
    data = explore.explore_map(
        p.catalog, name, info.number, _filters(column, op, value, low, high), principal=me
    )
    kind = "points" if data.lat else ("regions" if data.regions else "none")
    return {
        "dataset": name,
        "version": info.number,
        "kind": kind,
        "lat": data.lat,
        "lon": data.lon,
        "points": [list(pt) for pt in data.points],
        "points_total": data.points_total,
        "region_columns": list(data.region_columns),
        "regions": data.regions,
    }
