"""Search and the data map under /api/v1: `GET /search`, `GET /datamap`; for admins, the synonym
sets (`/search/synonyms`) and the official flag of organisations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from datanuri.search.documents import FACET_FIELDS
from datanuri.search.synonyms import MAX_TERM_CHARS, MAX_TERMS_PER_SET
from datanuri.web import schemas
from datanuri.web.auth import AdminCaller, PrincipalDep
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
    for_sale: list[str] = Query([], description='"yes": datasets with a market listing on sale'),
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
            (
                organization,
                theme,
                keyword,
                format,
                license,
                access_level,
                language,
                region,
                for_sale,
            ),
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


class SynonymsIn(BaseModel):
    terms: list[str] = Field(
        min_length=2,
        max_length=MAX_TERMS_PER_SET,
        description='Terms to search as one another, e.g. ["대기질", "공기질"]; a set already '
        "holding one of them takes the others in",
    )


class OfficialIn(BaseModel):
    official: bool = Field(description="Whether the organisation is an official holder")


@router.get("/search/synonyms", tags=["search"], response_model=list[schemas.SynonymSetOut])
def list_synonyms(p: PlatformDep, me: AdminCaller) -> list[dict[str, Any]]:
    """Every synonym set searches expand queries with (admins)."""
    return [s.to_dict() for s in p.search.list_synonyms(principal=me)]


@router.post(
    "/search/synonyms", status_code=201, tags=["search"], response_model=schemas.SynonymSetOut
)
def add_synonyms(body: SynonymsIn, p: PlatformDep, me: AdminCaller) -> dict[str, Any]:
    """Make terms synonyms of each other (admins); searches use them at once, no reindex."""
    return p.search.add_synonyms(body.terms, principal=me).to_dict()


@router.delete("/search/synonyms", tags=["search"], response_model=list[schemas.SynonymSetOut])
def remove_synonym(
    p: PlatformDep,
    me: AdminCaller,
    term: str = Query(max_length=MAX_TERM_CHARS * 2, description="The term to take out"),
) -> list[dict[str, Any]]:
    """Take a term out of every synonym set (admins); the sets that changed, as they are now."""
    return [s.to_dict() for s in p.search.remove_synonym(term, principal=me)]


@router.put(
    "/organizations/{name}/official",
    tags=["organizations"],
    response_model=schemas.OrganizationOut,
)
def set_official(name: str, body: OfficialIn, p: PlatformDep, me: AdminCaller) -> dict[str, Any]:
    """Mark an organisation as an official holder or not (admins); search ranks its data higher."""
    return p.accounts.set_official(name, body.official, principal=me).to_dict()
