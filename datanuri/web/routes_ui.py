"""The public browser pages: search and data map, dataset, organisation and ledger pages.

Every page calls the platform services with the caller's principal (session or anonymous), so
the access rules of the API apply unchanged. Errors on these routes become friendly HTML pages
in Korean or English; the API keeps its JSON errors.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from datanuri import errors
from datanuri.accounts import ANONYMOUS, Principal
from datanuri.accounts.service import UserInfo
from datanuri.catalog.records import VersionInfo
from datanuri.catalog.service import redact_profile
from datanuri.events import version_subject
from datanuri.ledger.hiding import is_commitment
from datanuri.ledger.receipts import ReceiptCheck
from datanuri.metadata import schemaorg
from datanuri.platform import Platform
from datanuri.regions.ids import region_label
from datanuri.search.documents import FACET_FIELDS
from datanuri.web import koreamap, preview, ui_text
from datanuri.web.auth import client_address, session_principal
from datanuri.web.deps import PlatformDep, whole_number
from datanuri.web.metadata_views import public_context
from datanuri.web.pages import language, render
from datanuri.web.release_panel import release_panel
from datanuri.web.tombstones import tombstone_for

log = logging.getLogger("datanuri.web.ui")

PER_PAGE = 10
PREVIEW_ROWS = 20
LEDGER_PAGE = 20
SHOWN_FACETS = (
    "for_sale",  # shown only when some dataset has a market listing on sale
    "theme",
    "organization",
    "region",
    "access_level",
    "format",
    "license",
    "keyword",
)
FILTER_KEYS = tuple(FACET_FIELDS) + ("sigungu",)
MAX_INT_PARAM = 10**9


# ----- error pages ---------------------------------------------------------------------------
def error_page(request: Request, status: int, detail: str | None = None) -> HTMLResponse:
    """The friendly error page for `status`, in the request's language."""
    lang = language(request)
    title, body = ui_text.error_text(status, lang)
    return render(
        request,
        "ui/error.html",
        status=status,
        code=status,
        heading=title,
        body=body,
        detail=detail if status < 500 else None,
        switch_url=_switch_url(request),
        href=href_factory(lang),
        user=None,
    )


class UIRoute(APIRoute):
    """A route whose errors render as HTML error pages instead of the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def ui_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except errors.DatanuriError as exc:
                if exc.status >= 500:
                    log.error("error on UI page %s: %s", request.url.path, exc.message)
                resp = error_page(request, exc.status, exc.message)
                if isinstance(exc, errors.RateLimited):
                    resp.headers["Retry-After"] = str(int(exc.retry_after))
                return resp
            except RequestValidationError:
                return error_page(request, 400)
            except StarletteHTTPException as exc:
                return error_page(request, exc.status_code)
            except Exception:  # noqa: BLE001 - any crash becomes the 500 page; details go to the log
                log.exception("unexpected error on UI page %s", request.url.path)
                return error_page(request, 500)

        return ui_handler


router = APIRouter(include_in_schema=False, route_class=UIRoute)


# ----- helpers -------------------------------------------------------------------------------
def href_factory(lang: str) -> Callable[..., str]:
    """`href(path, **params)`: a link that keeps the page language (list values repeat the key)."""

    def href(path: str, **params: Any) -> str:
        pairs: list[tuple[str, Any]] = []
        for k, v in params.items():
            if v is None or v == "" or v == []:
                continue
            if isinstance(v, (list, tuple)):
                pairs += [(k, x) for x in v]
            else:
                pairs.append((k, v))
        pairs.append(("lang", lang))
        return path + "?" + urlencode(pairs)

    return href


def _switch_url(request: Request) -> str:
    """This page in the other language, keeping its other query parameters."""
    other = "en" if language(request) == "ko" else "ko"
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [
        ("lang", other)
    ]
    return request.url.path + "?" + urlencode(pairs)


@dataclass(frozen=True)
class Caller:
    """Who is looking at a public page: the principal (session or anonymous) and their account."""

    me: Principal
    user: UserInfo | None


def get_caller(request: Request, platform: PlatformDep) -> Caller:
    found = session_principal(request)
    me = found[0] if found else ANONYMOUS
    user = None
    if found and me.user_id is not None:
        try:
            user = platform.accounts.get_user(me.user_id)
        except errors.DatanuriError:
            user = None
    return Caller(me.using(via="web", client=client_address(request)), user)


CallerDep = Annotated[Caller, Depends(get_caller)]


def _int(value: str | None, default: int, *, low: int = 0) -> int:
    if value is None or value == "":
        return default
    if not whole_number(value.strip()) or int(value) > MAX_INT_PARAM:
        raise errors.InvalidInput(f"Expected a whole number; got {value[:40]!r}.")
    return max(low, int(value))


def ui_page(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = language(request)

    def word(kind: str, key: str | None) -> str:
        return ui_text.pick(getattr(ui_text, kind), key, lang)

    return render(
        request,
        template,
        status=status,
        href=href_factory(lang),
        switch_url=_switch_url(request),
        word=word,
        subject_text=ui_text.subject_text,
        hash_text=ui_text.hash_text,
        actor_text=ui_text.actor_text,
        region_name=lambda region: region_label(region, lang),
        fmt_num=_fmt_num,
        fmt_bytes=_fmt_bytes,
        **ctx,
    )


def _fmt_num(n: Any) -> str:
    if isinstance(n, bool) or n is None:
        return "" if n is None else str(n)
    if isinstance(n, int):
        return f"{n:,}"
    if isinstance(n, float):
        if math.isnan(n) or math.isinf(n):
            return str(n)
        if abs(n) >= 1e6:
            return f"{n:,.0f}"
        if n != 0 and abs(n) < 1e-3:
            return f"{n:.3g}"
        return f"{n:,.4f}".rstrip("0").rstrip(".")
    return str(n)


def _fmt_bytes(n: int | None) -> str:
    if not n:
        return "0 B"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


# ----- charts (inline SVG geometry; the template draws it) ------------------------------------
CHART_W, CHART_H = 240, 84
TOP_LABEL_W, TOP_COUNT_W = (
    100,
    46,
)  # room for the value labels left of the bars and the counts right of them


def _label(v: Any) -> str:
    if isinstance(v, float):
        return _fmt_num(v)
    s = str(v)
    if len(s) >= 19 and s[10:11] == "T":  # a date-time bin edge: the date is enough
        s = s[:10]
    return s


def _shorten(text: str, units: int) -> str:
    """`text` cut to about `units` narrow characters (a Hangul or Han character counts two)."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) >= 0x2E80 else 1
        if used > units:
            return text[: max(i - 1, 1)] + "…"
    return text


def column_chart(col: dict[str, Any]) -> dict[str, Any] | None:
    """Bars for one profiled column: histogram bins when it has them, else its top values."""
    hist = col.get("histogram") or {}
    counts = [int(c) for c in hist.get("counts") or []]
    edges = hist.get("edges") or []
    if counts and len(edges) == len(counts) + 1:
        top = max(counts) or 1
        w = CHART_W / len(counts)
        bars = []
        for i, c in enumerate(counts):
            h = round(c / top * (CHART_H - 4), 1)
            bars.append(
                {
                    "x": round(i * w + 0.5, 1),
                    "y": round(CHART_H - h, 1),
                    "w": round(max(w - 1, 0.5), 1),
                    "h": h,
                    "tip": f"{_label(edges[i])} – {_label(edges[i + 1])}: {c:,}",
                }
            )
        return {
            "kind": "histogram",
            "bars": bars,
            "low": _label(edges[0]),
            "high": _label(edges[-1]),
            "width": CHART_W,
            "height": CHART_H,
            "max": top,
            "bins": len(counts),
        }
    tops = [t for t in (col.get("top_values") or []) if isinstance(t, dict) and "count" in t][:6]
    if not tops:
        return None
    top = max(int(t["count"]) for t in tops) or 1
    row_h = 16
    bars = []
    for i, t in enumerate(tops):
        label = _label(t.get("value"))
        if label in ("None", ""):
            label = "∅"
        short = _shorten(label, 15)
        bars.append(
            {
                "y": i * row_h,
                "w": round(int(t["count"]) / top * (CHART_W - TOP_LABEL_W - TOP_COUNT_W), 1),
                "label": short,
                "full": label,
                "count": int(t["count"]),
            }
        )
    return {
        "kind": "top",
        "bars": bars,
        "width": CHART_W,
        "height": row_h * len(bars),
        "row_h": row_h,
    }


# ----- home and search -----------------------------------------------------------------------
def _filters(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        vals = [v.strip()[:200] for v in request.query_params.getlist(key) if v.strip()]
        if vals:
            out[key] = list(dict.fromkeys(vals))[:20]
    return out


@router.get("/", response_class=HTMLResponse)
def home(request: Request, platform: PlatformDep, caller: CallerDep) -> HTMLResponse:
    me, user = caller.me, caller.user
    datamap = platform.search.datamap(principal=me)
    recent = platform.search.search("", principal=me, sort="newest", per_page=6, facets=False)
    href = href_factory(language(request))
    tiles = koreamap.tile_map(
        {r["code"]: r["count"] for r in datamap["regions"]},
        lang=language(request),
        link=lambda code: href("/search", region=code),
    )
    use_counts = platform.counts.for_names([r["name"] for r in recent.results], principal=me)
    return ui_page(
        request,
        "ui/home.html",
        user=user,
        datamap=datamap,
        recent=recent.results,
        tiles=tiles,
        use_counts=use_counts,
    )


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, platform: PlatformDep, caller: CallerDep) -> HTMLResponse:
    me, user = caller.me, caller.user
    q = (request.query_params.get("q") or "").strip()
    sort = request.query_params.get("sort") or "relevance"
    if sort not in ("relevance", "newest", "title"):
        sort = "relevance"
    page = _int(request.query_params.get("page"), 1, low=1)
    flt = _filters(request)
    res = platform.search.search(
        q, principal=me, filters=flt, sort=sort, page=page, per_page=PER_PAGE
    )
    pages = max(1, math.ceil(res.total / PER_PAGE))
    facets = [(f, res.facets.get(f, [])) for f in SHOWN_FACETS]
    # A chosen value stays listed (and checked) even when the narrowed results no longer count it.
    for f, vals in facets:
        have = {v["value"] for v in vals}
        vals += [{"value": v, "count": 0} for v in flt.get(f, []) if v not in have]
    href = href_factory(language(request))
    keep_sort = sort if sort != "relevance" else None

    def page_link(n: int) -> str:
        return href("/search", q=q, sort=keep_sort, page=n, **flt)

    chips = []
    for key, chosen in flt.items():
        for v in chosen:
            rest = {k: [x for x in vs if not (k == key and x == v)] for k, vs in flt.items()}
            chips.append((key, v, href("/search", q=q, sort=keep_sort, **rest)))
    page = min(page, pages)
    org_titles = {o.name: o.title for o in platform.catalog.list_organizations()}
    return ui_page(
        request,
        "ui/search.html",
        user=user,
        q=q,
        sort=sort,
        res=res,
        page=page,
        pages=pages,
        filters=flt,
        facets=facets,
        page_numbers=_page_numbers(page, pages),
        page_link=page_link,
        chips=chips,
        org_titles=org_titles,
        use_counts=platform.counts.for_names([r["name"] for r in res.results], principal=me),
    )


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show: first, last and the neighbours of the current one (None = a gap)."""
    keep = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for i, n in enumerate(keep):
        if i and n - keep[i - 1] > 1:
            out.append(None)
        out.append(n)
    return out


# ----- dataset page --------------------------------------------------------------------------
def _receipt_check(platform: Platform, info: VersionInfo) -> ReceiptCheck:
    """The version's ledger receipt, checked server-side as an outside verifier would, and that
    its entry names this version and its Parquet content."""
    if info.ledger_index is None:
        return ReceiptCheck.no_entry()
    return platform.ledger.check_receipt(
        info.ledger_index,
        subject=version_subject(info.dataset, info.number),
        parquet_hash=info.content_hash,
    )


def _jsonld(obj: Any) -> Markup:
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    # Nothing in the data may close the script element or open a comment.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


@router.get("/datasets/{name}", response_class=HTMLResponse)
def dataset(request: Request, name: str, platform: PlatformDep, caller: CallerDep) -> HTMLResponse:
    me, user = caller.me, caller.user
    ds = platform.catalog.get_dataset(
        name, principal=me
    )  # NotFound for what the caller may not see
    org = platform.catalog.get_organization(ds.organization)
    personal = ds.access_level == "personal"
    versions = sorted(ds.versions, key=lambda v: v.number, reverse=True)
    number = (
        _int(request.query_params.get("version"), ds.latest_version or 0, low=1)
        if versions
        else None
    )
    ctx: dict[str, Any] = {
        "user": user,
        "ds": ds,
        "org": org,
        "personal": personal,
        "versions": versions,
    }
    asked = _int(request.query_params.get("version"), 0, low=1) or None
    tomb = tombstone_for(platform.accounts, ds, asked, language(request))
    if tomb is not None:  # a withdrawn version: why, who and when, and no rows
        ctx["tombstone"], number = tomb, None
    ctx.update(public_context(request, platform, me, ds))  # web/metadata_views.py
    if number is not None:
        info = platform.catalog.get_version(name, number, principal=me)
        detail = platform.catalog.version_detail(name, info.number, principal=me)
        profile = detail["profile"]
        if personal:
            # Top values, minima and maxima are values from the rows: never on a page, whoever asks.
            profile = redact_profile(profile)
        cols = []
        by_name = {c.get("name"): c for c in profile.get("columns", [])}
        for f in (detail["schema"] or {}).get("fields", []):
            col = by_name.get(f.get("name"), {})
            cols.append(
                {"field": f, "profile": col, "chart": None if personal else column_chart(col)}
            )
        ctx.update(info=info, columns=cols, problems=detail["problems"], rows_total=info.row_count)
        # Rows: never for personal data; for restricted data only when the caller may read them.
        state = preview.PreviewState.from_params(
            request.query_params, _int(request.query_params.get("page"), 1, low=1)
        )
        lang = language(request)
        shown: dict[str, Any] = {"preview": None, "preview_denied": None}
        if personal:
            shown["preview_denied"] = "personal"
        else:
            try:
                shown = preview.preview_context(
                    platform,
                    me,
                    name,
                    info.number,
                    info.row_count,
                    state,
                    lang=lang,
                    draw_chart=column_chart,
                )
            except (errors.PermissionDenied, errors.NotAuthenticated):
                shown["preview_denied"] = "restricted"
        state = shown.get("preview_state", state)
        pg = shown.get("preview_page", 1)
        pages = shown.get("preview_pages", 1)
        href = href_factory(lang)
        keep_version = info.number if info.number != ds.latest_version else None

        def preview_link(n: int | None = None, **change: Any) -> str:
            params = state.params(**change)
            return href(f"/datasets/{name}", version=keep_version, page=n, **params) + "#preview"

        ctx.update(
            shown,
            preview_state=state,
            preview_numbers=_page_numbers(pg, pages),
            formats=list(ui_text.DOWNLOADS) if shown["preview"] is not None else [],
            preview_link=preview_link,
            receipt=_receipt_check(platform, info),
        )
    ctx["release_panel"] = release_panel(platform, name, me, language(request))
    doc = platform.search.fresh_doc(name)
    if doc is not None:
        ctx["jsonld"] = _jsonld(schemaorg.dataset(doc, str(request.base_url).rstrip("/")))
    ctx["offers"] = doc.listings if doc is not None else ()  # market listings on sale
    return ui_page(request, "ui/dataset.html", **ctx)


# ----- organisations -------------------------------------------------------------------------
@router.get("/organizations", response_class=HTMLResponse)
def organizations(request: Request, platform: PlatformDep, caller: CallerDep) -> HTMLResponse:
    me, user = caller.me, caller.user
    visible: dict[str, int] = {}
    for d in platform.catalog.list_datasets(principal=me):
        visible[d.organization] = visible.get(d.organization, 0) + 1
    orgs = [(o, visible.get(o.name, 0)) for o in platform.catalog.list_organizations()]
    return ui_page(request, "ui/organizations.html", user=user, orgs=orgs)


@router.get("/organizations/{name}", response_class=HTMLResponse)
def organization(
    request: Request, name: str, platform: PlatformDep, caller: CallerDep
) -> HTMLResponse:
    me, user = caller.me, caller.user
    org = platform.catalog.get_organization(name)
    datasets = platform.catalog.list_datasets(organization=name, principal=me)
    return ui_page(request, "ui/organization.html", user=user, org=org, datasets=datasets)


# ----- ledger explorer -----------------------------------------------------------------------
def _subject_link(subject: str | None) -> str | None:
    if subject and subject.startswith("dataset:"):
        name = subject.removeprefix("dataset:").split("@", 1)[0]
        return None if is_commitment(name) else name  # a hidden dataset has no page to link
    return None


@router.get("/ledger", response_class=HTMLResponse)
def ledger(request: Request, platform: PlatformDep, caller: CallerDep) -> Response:
    user = caller.user
    lookup = request.query_params.get("index")
    if lookup not in (None, ""):
        index = _int(lookup, 0)
        from fastapi.responses import RedirectResponse

        return RedirectResponse(
            href_factory(language(request))(f"/ledger/entries/{index}"), status_code=303
        )
    ld = platform.ledger
    cp = ld.checkpoint()
    size = cp.size
    before = min(_int(request.query_params.get("before"), size), size)
    start = max(0, before - LEDGER_PAGE)
    entries = list(reversed(ld.public_entries(start, before))) if before > 0 else []
    for e in entries:
        e["dataset"] = _subject_link(e["entry"].get("subject"))
    return ui_page(
        request,
        "ui/ledger.html",
        user=user,
        cp=cp,
        cp_root=cp.to_dict()["root"],
        public_key=ld.public_key(),
        required=ld.required_cosignatures,
        witnesses=ld.witnesses(),
        entries=entries,
        before=before,
        older=start if start > 0 else None,
        newer=min(size, before + LEDGER_PAGE) if before < size else None,
    )


@router.get("/ledger/entries/{index}", response_class=HTMLResponse)
def ledger_entry(
    request: Request, index: str, platform: PlatformDep, caller: CallerDep
) -> HTMLResponse:
    n = _int(index, 0)
    result = platform.ledger.check_receipt(n)  # on the stored entry
    receipt = platform.ledger.public_receipt(n)  # shown: a hidden dataset's name redacted
    return ui_page(
        request,
        "ui/ledger_entry.html",
        user=caller.user,
        receipt=receipt,
        result=result,
        current={"size": result.current_size},
        receipt_json=json.dumps(receipt, ensure_ascii=False, indent=2),
        dataset_name=_subject_link(receipt["entry"].get("subject")),
    )
