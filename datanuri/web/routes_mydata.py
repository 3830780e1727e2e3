"""MyData's REST API under /api/v1/mydata (holders' offers, the person's consents, receipts and
own rows, a holder's consents and transfers) and the person's dashboard page at /me/mydata.

Handlers are thin: one `MyData` call with the caller's principal; the service decides who may do
what. The OAuth server and the transfer route live in `datanuri/oauth/` (not here)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri.mydata.rules import Item
from datanuri.mydata.service import Consent, Dashboard, OfferInfo, TransferInfo, TransferPage
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUserDep, login_redirect
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page

router = APIRouter(prefix="/mydata", tags=["mydata"])
pages = APIRouter(include_in_schema=False, route_class=UIRoute)
NAME = 100
ConsentId = Annotated[str, Path(min_length=1, max_length=40)]
Name = Annotated[str, Path(min_length=1, max_length=NAME)]


class ItemIn(BaseModel):
    name: str = Field(max_length=NAME, description="e.g. visits.basic")
    columns: list[str] = Field(min_length=1, max_length=200)
    label_ko: str = Field(max_length=200, description="The item in Korean, for the consent screen.")
    label_en: str = Field(max_length=200, description="The item in English.")


class OfferIn(BaseModel):
    dataset: str = Field(max_length=NAME, description="A personal dataset of the holder.")
    subject_column: str = Field(
        max_length=200, description="The column with the resident registration number."
    )
    items: list[ItemIn] = Field(min_length=1, max_length=100)


class OwnRows(BaseModel):
    """The caller's own rows at a holder (right of access)."""

    dataset: str
    version: int | None
    columns: list[str]
    rows: list[dict[str, Any]]
    ledger_index: int | None


# ----- holders ------------------------------------------------------------------------------------
@router.get("/offers", response_model=list[OfferInfo])
def list_offers(
    me: ReadCaller,
    p: PlatformDep,
    organization: Annotated[str | None, Query(max_length=NAME)] = None,
) -> list[OfferInfo]:
    """The MyData offers (public: holders declare what people may have sent)."""
    return p.mydata.offers(organization=organization)


@router.post("/offers", status_code=201, response_model=OfferInfo)
def declare_offer(body: OfferIn, me: PublishCaller, p: PlatformDep) -> OfferInfo:
    """Declare (or replace) the MyData offer on a holder's personal dataset (owners, editors)."""
    items = [Item(i.name, tuple(i.columns), i.label_ko, i.label_en) for i in body.items]
    return p.mydata.declare_offer(
        body.dataset, subject_column=body.subject_column, items=items, principal=me
    )


@router.get("/offers/{dataset}", response_model=OfferInfo)
def get_offer(dataset: Name, me: ReadCaller, p: PlatformDep) -> OfferInfo:
    return p.mydata.offer(dataset)


@router.get("/holders/{org}/consents", response_model=list[Consent])
def holder_consents(org: Name, me: ReadCaller, p: PlatformDep) -> list[Consent]:
    """Consents on the holder's data (its owners and editors)."""
    return p.mydata.holder_consents(org, principal=me)


@router.get("/holders/{org}/transfers", response_model=list[TransferInfo])
def holder_transfers(org: Name, me: ReadCaller, p: PlatformDep) -> list[TransferInfo]:
    """Transfers of the holder's data, newest first (its owners and editors)."""
    return p.mydata.holder_transfers(org, principal=me)


# ----- the person -------------------------------------------------------------------------------
@router.get("/me", response_model=Dashboard)
def my_dashboard(me: ReadCaller, p: PlatformDep) -> Dashboard:
    """Holders with rows about me, my consents and every transfer."""
    return p.mydata.dashboard(principal=me)


@router.get("/me/rows/{dataset}", response_model=OwnRows)
def my_rows(dataset: Name, me: ReadCaller, p: PlatformDep) -> OwnRows:
    """My own rows at a holder (right of access); recorded in the ledger."""
    page = p.mydata.my_rows(dataset, principal=me)
    return _own(page)


@router.get("/consents/{consent_id}", response_model=Consent)
def get_consent(consent_id: ConsentId, me: ReadCaller, p: PlatformDep) -> Consent:
    return p.mydata.consent(consent_id, principal=me)


@router.post("/consents/{consent_id}/revoke", response_model=Consent)
def revoke_consent(consent_id: ConsentId, me: PublishCaller, p: PlatformDep) -> Consent:
    """Revoke my consent: no more transfers; the recipient is asked to delete what it got."""
    return p.mydata.revoke(consent_id, by=me)


@router.get("/consents/{consent_id}/receipt", response_model=dict[str, Any])
def consent_receipt(consent_id: ConsentId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The signed consent receipt; check it offline with `datanuri verify FILE --key KEY`."""
    return p.mydata.receipt(consent_id, principal=me)


def _own(page: TransferPage) -> OwnRows:
    return OwnRows(
        dataset=page.dataset,
        version=page.version,
        columns=list(page.columns),
        rows=[dict(r) for r in page.rows],
        ledger_index=page.ledger_index,
    )


# ----- the dashboard page ---------------------------------------------------------------------
@pages.get("/me/mydata", response_class=HTMLResponse)
def dashboard_page(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    board = platform.mydata.dashboard(principal=who.me)
    return ui_page(
        request,
        "ui/mydata.html",
        user=who.user,
        csrf_token=who.csrf,
        board=board,
        done=request.query_params.get("done"),
    )


@pages.post("/me/mydata/consents/{consent_id}/revoke", response_class=HTMLResponse)
async def revoke_page(
    consent_id: ConsentId, request: Request, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    await run_in_threadpool(lambda: platform.mydata.revoke(consent_id, by=who.me))
    href = href_factory(language(request))
    return RedirectResponse(href("/me/mydata", done="revoked"), status_code=303)


@pages.get("/me/mydata/consents/{consent_id}/receipt")
def receipt_download(
    consent_id: ConsentId, request: Request, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    body = platform.mydata.receipt(consent_id, principal=who.me)
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="receipt-{consent_id}.json"'},
    )


@pages.get("/me/mydata/rows/{dataset}")
def rows_download(
    dataset: Name,
    request: Request,
    platform: PlatformDep,
    who: WebUserDep,
    format: Literal["json", "parquet"] = "json",
) -> Response:
    if who is None:
        return login_redirect(request)
    page = platform.mydata.my_rows(dataset, principal=who.me, fmt=format)
    name = f"my-rows-{dataset}-v{page.version}"
    if format == "parquet":
        assert page.parquet is not None
        return Response(
            page.parquet,
            media_type="application/vnd.apache.parquet",
            headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
        )
    return Response(
        _own(page).model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
    )
