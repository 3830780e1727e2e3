"""Metadata exports: DCAT-AP JSON-LD (catalogue and dataset), schema.org, Croissant, Data Package."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from datanuri import errors
from datanuri.accounts.principal import Principal
from datanuri.catalog.documents import SearchDoc
from datanuri.metadata import croissant as cr
from datanuri.metadata import datapackage as dp
from datanuri.metadata import dcat, schemaorg
from datanuri.platform import Platform
from datanuri.search.service import visibility_for
from datanuri.web import schemas
from datanuri.web.auth import PrincipalDep
from datanuri.web.deps import PlatformDep, whole_number

router = APIRouter()
JSONLD = "application/ld+json"


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _doc(p: Platform, name: str, me: Principal) -> SearchDoc:
    p.catalog.get_dataset(name, principal=me)  # "not found" for what `me` may not see
    doc = p.search.fresh_doc(name)
    if doc is None:
        raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
    return doc


def _version(
    p: Platform, name: str, version: str, me: Principal
) -> tuple[SearchDoc, Any, dict[str, Any]]:
    doc = _doc(p, name, me)
    if doc.access_level == "personal":
        raise errors.PermissionDenied(errors.MSG_PERSONAL_NO_ROWS.format(name=name))
    number = None if version == "latest" else _number(version)
    info = p.catalog.get_version(name, number, principal=me)
    schema = p.catalog.version_detail(name, info.number, principal=me)["schema"]
    return doc, info, schema


def _number(version: str) -> int:
    if not whole_number(version):
        raise errors.InvalidInput(f"Version must be a number or 'latest'; got {version!r}.")
    return int(version)


@router.get("/catalog.jsonld", tags=["metadata"])
def catalog_jsonld(request: Request, p: PlatformDep, me: PrincipalDep) -> JSONResponse:
    """The catalogue as DCAT-AP 3 JSON-LD."""
    docs = p.search.index.visible_docs(visibility_for(me))
    return JSONResponse(dcat.catalog_document(docs, _base(request)), media_type=JSONLD)


@router.get("/dataset/{name}.jsonld", tags=["metadata"])
def dataset_jsonld(
    name: str,
    request: Request,
    p: PlatformDep,
    me: PrincipalDep,
) -> JSONResponse:
    """One dataset as DCAT-AP 3 JSON-LD (its attached documents as foaf:page)."""
    doc, base = _doc(p, name, me), _base(request)
    pages = [
        (f"{base}/datasets/{name}/documents/{d.id}", d.filename)
        for d in p.attachments.list(name, principal=me)
    ]
    return JSONResponse(dcat.dataset_document(doc, base, pages=pages), media_type=JSONLD)


@router.get(
    "/api/v1/datasets/{name}/schema.org.json", tags=["metadata"], response_model=schemas.JsonLdOut
)
def schema_org(
    name: str,
    request: Request,
    p: PlatformDep,
    me: PrincipalDep,
) -> JSONResponse:
    """schema.org Dataset JSON-LD (what the dataset page embeds)."""
    return JSONResponse(schemaorg.dataset(_doc(p, name, me), _base(request)), media_type=JSONLD)


@router.get(
    "/api/v1/datasets/{name}/versions/{version}/croissant.json",
    tags=["metadata"],
    response_model=schemas.JsonLdOut,
)
def croissant(
    name: str,
    version: str,
    request: Request,
    p: PlatformDep,
    me: PrincipalDep,
) -> JSONResponse:
    """Croissant 1.0 for a version (refused for personal data, whose rows never leave)."""
    doc, info, schema = _version(p, name, version, me)
    return JSONResponse(cr.croissant(doc, info, schema, _base(request)), media_type=JSONLD)


@router.get(
    "/api/v1/datasets/{name}/versions/{version}/datapackage.json",
    tags=["metadata"],
    response_model=schemas.DataPackageOut,
)
def datapackage(
    name: str,
    version: str,
    request: Request,
    p: PlatformDep,
    me: PrincipalDep,
) -> dict[str, Any]:
    """Frictionless Data Package for a version (refused for personal data)."""
    doc, info, schema = _version(p, name, version, me)
    return dp.datapackage(doc, info, schema, _base(request))
