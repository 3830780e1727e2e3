"""Market listings: the JSON API under /api/v1/market/listings, the licence as ODRL JSON-LD at
/market/listings/{id}/licence.jsonld, the public listing page and the holder's console page.

Handlers are thin: one service call with the caller's principal.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datanuri import errors
from datanuri.i18n import translate
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import (
    ListingInfo,
    Listings,
    Sample,
    SampleFromRelease,
    SyntheticSample,
)
from datanuri.market.price_advisor import ListingSuggestion
from datanuri.market.pricing import won
from datanuri.platform import Platform
from datanuri.web.auth import PublishCaller, ReadCaller, session_principal
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUser, WebUserDep, login_redirect
from datanuri.web.routes_ui import CallerDep, UIRoute, href_factory, ui_page

router = APIRouter(tags=["market listings"])
public = APIRouter(include_in_schema=False)
pages = APIRouter(include_in_schema=False, route_class=UIRoute)
JSONLD = "application/ld+json"
SAMPLE_CSV_LIMIT = 200_000  # characters of a synthetic sample sent as CSV text


# ----- the API ---------------------------------------------------------------------------------
class PriceOut(BaseModel):
    kind: str = Field(description="one-off | subscription | free-research")
    per_version_krw: int | None = None
    period: str | None = Field(None, description="month | year (a subscription)")
    krw: int | None = Field(None, description="The subscription's price per period")


class TermsOut(BaseModel):
    actions: list[str]
    purposes: list[str]
    commercial: bool
    territory: list[str]
    term_days: int | None
    ends_on: str | None
    attribution: bool
    no_onward_sale: bool
    no_reidentification: bool


class SampleOut(BaseModel):
    source: str | None = Field(description="release | synthetic (None: no sample yet)")
    columns: list[str]
    rows: list[list[Any]]


class ListingOut(BaseModel):
    id: int
    dataset: str
    dataset_title: str
    organization: str
    organization_title: str
    version: int | None
    title: str
    description: str
    status: str
    price: PriceOut
    licence: TermsOut
    licence_sha256: str = Field(description="SHA-256 of the licence JSON-LD (RFC 8785 form)")
    licence_url: str
    sample: SampleOut
    created_at: str
    updated_at: str
    published_at: str | None


class TemplateOut(BaseModel):
    name: str
    terms: TermsOut


class TemplatesOut(BaseModel):
    templates: list[TemplateOut]


class SampleIn(BaseModel):
    """Either the version of the dataset (a privacy release) whose first rows are the sample, or
    a synthetic sample as CSV text (UTF-8, a header row first)."""

    release_version: int | None = Field(None, ge=1)
    csv: str | None = Field(None, max_length=SAMPLE_CSV_LIMIT)


class ListingIn(BaseModel):
    dataset: str = Field(max_length=200)
    title: str = Field(max_length=1000)
    description: str = Field("", max_length=20_000)
    version: int | None = Field(None, ge=1, description="A single version; default: every version.")
    price: dict[str, Any] = Field(
        description='{"kind": "one-off", "per_version_krw": 50000}, {"kind": "subscription", '
        '"period": "month"|"year", "krw": 30000} or {"kind": "free-research"}'
    )
    licence: dict[str, Any] | None = Field(
        None,
        description="Licence terms (actions, purposes, commercial, territory, term_days, ...).",
    )
    licence_template: str | None = Field(
        None, max_length=100, description="A licence template name instead of `licence`."
    )
    sample: SampleIn | None = None


class ListingPatch(BaseModel):
    title: str | None = Field(None, max_length=1000)
    description: str | None = Field(None, max_length=20_000)
    price: dict[str, Any] | None = None
    licence: dict[str, Any] | None = None
    licence_template: str | None = Field(None, max_length=100)
    sample: SampleIn | None = None


def _terms(licence: dict[str, Any] | None, template: str | None) -> L.Terms | None:
    if template:
        return L.template(template)
    return L.Terms.from_dict(licence) if licence is not None else None


Step = Literal["publish", "unpublish", "archive"]


def _step(listings: Listings, step: Step) -> Callable[..., ListingInfo]:
    """The service method of a status step (the API's and the console's)."""
    return {
        "publish": listings.publish,
        "unpublish": listings.unpublish,
        "archive": listings.archive,
    }[step]


def _with_sample(sample: SampleIn | None, call: Any) -> Any:
    """Run `call(sample)` with the sample a request gave (a CSV text goes to a temporary file)."""
    if sample is None or (sample.release_version is None and sample.csv is None):
        return call(None)
    if sample.release_version is not None:
        return call(SampleFromRelease(sample.release_version))
    with tempfile.TemporaryDirectory(prefix="datanuri-sample-") as tmp:
        path = Path(tmp) / "sample.csv"
        path.write_text(sample.csv or "", encoding="utf-8")
        return call(SyntheticSample(path, "sample.csv"))


@router.get("/market/listings", response_model=list[ListingOut])
def list_listings(
    me: ReadCaller,
    p: PlatformDep,
    dataset: str | None = Query(None, max_length=200),
    mine: bool = Query(False, description="Only those of the organisations you edit (any status)."),
    status: str | None = Query(None, max_length=20),
) -> list[dict[str, Any]]:
    """Listings on sale (of datasets you may see), and with `mine` your organisations' drafts."""
    return [
        x.to_dict()
        for x in p.listings.search(principal=me, dataset=dataset, mine=mine, status=status)
    ]


@router.post("/market/listings", status_code=201, response_model=ListingOut)
def create_listing(body: ListingIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Create a draft listing of a restricted dataset (its editors and owners)."""
    terms = _terms(body.licence, body.licence_template) or L.template("research-only")
    price = rules.price_from_dict(body.price)
    info = _with_sample(
        body.sample,
        lambda sample: p.listings.create(
            body.dataset,
            title=body.title,
            description=body.description,
            version=body.version,
            price=price,
            terms=terms,
            sample=sample,
            principal=me,
        ),
    )
    return info.to_dict()


@router.get("/market/licence-templates", response_model=TemplatesOut)
def licence_templates(me: ReadCaller) -> dict[str, Any]:
    """The licence templates a listing can start from, as terms."""
    return {"templates": [{"name": n, "terms": t.to_dict()} for n, t in L.TEMPLATES.items()]}


@router.get("/market/listings/{listing_id}", response_model=ListingOut)
def get_listing(listing_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """One listing: on sale, or (for its holders) in any status."""
    return p.listings.get(listing_id, principal=me).to_dict()


@router.patch("/market/listings/{listing_id}", response_model=ListingOut)
def update_listing(
    listing_id: RowId, body: ListingPatch, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Change a listing; a new licence of a listing on sale is recorded in the ledger."""
    terms = _terms(body.licence, body.licence_template)
    price = rules.price_from_dict(body.price) if body.price is not None else None
    info = _with_sample(
        body.sample,
        lambda sample: p.listings.update(
            listing_id,
            title=body.title,
            description=body.description,
            price=price,
            terms=terms,
            sample=sample,
            principal=me,
        ),
    )
    return info.to_dict()


@router.post("/market/listings/{listing_id}/{step}", response_model=ListingOut)
def change_status(
    listing_id: RowId,
    step: Step,
    me: PublishCaller,
    p: PlatformDep,
) -> dict[str, Any]:
    """Put on sale (publish), take off sale (unpublish) or retire (archive) a listing."""
    return _step(p.listings, step)(listing_id, principal=me).to_dict()


# ----- the licence as JSON-LD --------------------------------------------------------------------
@public.get("/market/listings/{listing_id}/licence.jsonld")
def licence_jsonld(listing_id: RowId, p: PlatformDep, caller: CallerDep) -> Response:
    """The listing's licence as an ODRL 2.2 Offer in JSON-LD (what `licence_sha256` is of)."""
    doc = p.listings.licence(listing_id, principal=caller.me)
    return JSONResponse(doc, media_type=JSONLD)


# ----- pages -------------------------------------------------------------------------------------
def _view(info: ListingInfo, lang: str) -> dict[str, Any]:
    return {
        "x": info,
        "price": rules.price_words(info.price, lang),
        "plain": L.plain(info.terms, lang, holder=info.organization_title),
    }


@pages.get("/market/listings/{listing_id}", response_class=HTMLResponse)
def listing_page(
    request: Request, listing_id: RowId, platform: PlatformDep, caller: CallerDep
) -> Response:
    """The public page of a listing: description, price, licence in plain words, sample."""
    info = platform.listings.get(listing_id, principal=caller.me)
    found = session_principal(request)
    return ui_page(
        request,
        "ui/market_listing.html",
        user=caller.user,
        csrf_token=found[1] if found else None,
        order_key=uuid.uuid4().hex,  # the checkout's idempotency key: one order per page view
        **_view(info, language(request)),
    )


def _console(
    request: Request,
    platform: Platform,
    who: WebUser,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = language(request)
    mine = platform.listings.search(principal=who.me, mine=True)
    suggestion, suggest_error = _suggestion(request, platform, who, lang)
    datasets = [
        d
        for d in platform.catalog.list_datasets(principal=who.me)
        if d.access_level == "restricted" and who.me.role_in(d.organization) in ("owner", "editor")
    ]
    return ui_page(
        request,
        "console/listings.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        listings=[_view(x, lang) for x in mine],
        datasets=datasets,
        templates_=list(L.TEMPLATES),
        error=error,
        values=values or {},
        done=request.query_params.get("done"),
        suggestion=suggestion,
        suggest_error=suggest_error,
        won=won,
    )


def _suggestion(
    request: Request, platform: Platform, who: WebUser, lang: str
) -> tuple[ListingSuggestion | None, str | None]:
    """The price suggestion asked for with ?suggest=ID (the holder's), or why there is none."""
    raw = request.query_params.get("suggest", "")
    if not raw.isdigit():
        return None, None
    try:
        return platform.prices.suggest_price(int(raw), principal=who.me), None
    except (errors.InvalidInput, errors.NotFound, errors.PermissionDenied) as exc:
        return None, translate(exc.message, lang)


@pages.get("/console/listings", response_class=HTMLResponse)
def console_listings(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _console(request, platform, who)


def _form_price(form: dict[str, Any]) -> rules.Price:
    kind = str(form.get("price_kind") or "")
    raw = str(form.get("price_krw") or "").replace(",", "").strip()
    amount: Any = int(raw) if raw.isdigit() else raw
    return rules.price_from_dict(
        {
            "kind": kind,
            "per_version_krw": amount,
            "krw": amount,
            "period": str(form.get("price_period") or ""),
        }
    )


@pages.post("/console/listings", response_class=HTMLResponse)
async def console_create(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    lang = language(request)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    upload = form.get("sample_file")
    release = str(form.get("release_version") or "").strip()
    try:
        price = _form_price(form)
        terms = L.template(str(form.get("licence_template") or ""))
        with tempfile.TemporaryDirectory(prefix="datanuri-sample-") as tmp:
            sample: Sample | None = None
            if isinstance(upload, UploadFile) and upload.filename:
                name = Path(upload.filename).name[:100] or "sample.csv"
                path = Path(tmp) / name
                path.write_bytes(await upload.read(rules.SAMPLE_MAX_ROWS * 10_000))
                sample = SyntheticSample(path, name)
            elif release.isdigit():
                sample = SampleFromRelease(int(release))
            info = await run_in_threadpool(
                lambda: platform.listings.create(
                    str(form.get("dataset") or ""),
                    title=str(form.get("title") or ""),
                    description=str(form.get("description") or ""),
                    price=price,
                    terms=terms,
                    sample=sample,
                    principal=who.me,
                )
            )
    except (errors.InvalidInput, errors.Conflict, errors.NotFound, errors.PermissionDenied) as exc:
        text, code = translate(exc.message, lang), exc.status
        return await run_in_threadpool(
            lambda: _console(request, platform, who, status=code, error=text, values=values)
        )
    return RedirectResponse(
        href_factory(lang)("/console/listings", done="created") + f"#listing-{info.id}",
        status_code=303,
    )


@pages.post("/console/listings/{listing_id}/{step}")
async def console_step(
    request: Request,
    listing_id: RowId,
    step: Step,
    platform: PlatformDep,
    who: WebUserDep,
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    lang = language(request)
    do = _step(platform.listings, step)
    try:
        await run_in_threadpool(lambda: do(listing_id, principal=who.me))
    except (errors.InvalidInput, errors.Conflict) as exc:
        text, code = translate(exc.message, lang), exc.status
        return await run_in_threadpool(
            lambda: _console(request, platform, who, status=code, error=text)
        )
    return RedirectResponse(
        href_factory(lang)("/console/listings", done=step) + f"#listing-{listing_id}",
        status_code=303,
    )
