"""Search and the data map under /api/v1: `GET /search`, `GET /datamap`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from datanuri.search.documents import FACET_FIELDS
from datanuri.web import schemas
from datanuri.web.auth import PrincipalDep
from datanuri.web.deps import PlatformDep

router = APIRouter()


@router.get("/search", tags=["search"], response_model=schemas.SearchOut)
def search(
    p: PlatformDep,
    me: PrincipalDep,
    q: str = Query(
        "", description="Korean or English words; every word must match, else any word may."
    ),
    organization: list[str] = Query([]),
    theme: list[str] = Query([]),
    keyword: list[str] = Query([]),
    format: list[str] = Query([]),
    license: list[str] = Query([]),
    access_level: list[str] = Query([]),
    language: list[str] = Query([]),
    region: list[str] = Query([], description="시도 code or name, e.g. 11 or 서울특별시"),
    updated_from: str | None = Query(None, description="YYYY-MM-DD"),
    updated_to: str | None = Query(None, description="YYYY-MM-DD (inclusive)"),
    sort: str = Query("relevance", description="relevance | newest | title"),
    page: int = Query(1),
    per_page: int = Query(20, description="at most 100"),
) -> dict[str, Any]:
    """Results (with highlighted snippets), facet counts and the total."""
    given = dict(
        zip(
            FACET_FIELDS,
            (organization, theme, keyword, format, license, access_level, language, region),
            strict=True,
        )
    )
    filters = {k: v for k, v in given.items() if v}
    return p.search.search(
        q,
        principal=me,
        filters=filters,
        updated_from=updated_from,
        updated_to=updated_to,
        sort=sort,
        page=page,
        per_page=per_page,
    ).to_dict()


@router.get("/datamap", tags=["search"], response_model=schemas.DatamapOut)
def datamap(p: PlatformDep, me: PrincipalDep) -> dict[str, Any]:
    """The catalog by theme, organisation and region (시도 → 시군구), with counts."""
    return p.search.datamap(principal=me)
