"""The CKAN Action API (read side), so CKAN clients and harvesters work against datanuri unchanged.

`router` is mounted at both `/api/3/action` and `/api/action`; `root_router` answers `GET /api/3`.
Every answer uses CKAN's envelope (`help`, `success`, `result` or `error` with `__type`) and
CKAN's status codes: 403 authorization, 404 not found, 409 validation, 400 search query.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from datanuri import __version__, errors
from datanuri.accounts import secrets as sec
from datanuri.accounts.principal import ANONYMOUS, Principal
from datanuri.metadata import ckan as dicts
from datanuri.platform import Platform
from datanuri.search.service import SearchService, visibility_for
from datanuri.search.solr import QuerySyntaxError, parse, parse_sort
from datanuri.web.auth import (
    CSRF_HEADER,
    SAFE_METHODS,
    _check_rate,
    client_address,
    session_principal,
)
from datanuri.web.deps import PlatformDep

log = logging.getLogger("datanuri.ckan")
router = APIRouter()
root_router = APIRouter()
MAX_ROWS = 1000
CKAN_FACETS = {
    "organization": "organization",
    "groups": "theme",
    "tags": "keyword",
    "res_format": "format",
    "license_id": "license",
    "language": "language",
    "access_level": "access_level",
    "region": "region",
}


class CkanValidation(Exception):
    """A CKAN validation error: field → messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(str(fields))
        self.fields = fields


@dataclass(frozen=True)
class Ctx:
    platform: Platform
    search: SearchService
    me: Principal
    base: str
    params: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def integer(self, key: str, default: int | None, *, cap: int | None = None) -> int | None:
        raw = self.params.get(key)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise CkanValidation({key: ["Invalid integer"]}) from None
        if value < 0:
            raise CkanValidation({key: ["Must be a natural number"]})
        return min(value, cap) if cap is not None else value

    def flag(self, key: str) -> bool:
        return str(self.params.get(key, "")).lower() in ("true", "1", "yes", "on")

    def required(self, *keys: str) -> str:
        for key in keys:
            if self.params.get(key):
                return str(self.params[key])
        raise CkanValidation({keys[0]: ["Missing value"]})


# ----- actions ----------------------------------------------------------------------------------
def status_show(c: Ctx) -> dict[str, Any]:
    return {
        "site_title": "datanuri",
        "site_description": "A trusted data exchange",
        "site_url": c.base,
        "ckan_version": "2.10.0",
        "datanuri_version": __version__,
        "locale_default": "ko",
        "error_emails_to": None,
        "extensions": ["datanuri"],
    }


def package_search(c: Ctx) -> dict[str, Any]:
    try:
        parsed = parse(str(c.get("q") or ""), str(c.get("fq") or ""))
        sort = parse_sort(c.get("sort"))
    except QuerySyntaxError as exc:
        raise _SearchQuery(str(exc)) from exc
    rows = c.integer("rows", 10, cap=MAX_ROWS)
    start = c.integer("start", 0)
    facet_fields = _facet_fields(c.get("facet.field"))
    facet_limit = c.integer("facet.limit", 50) or 50
    try:
        r = c.search.search(
            parsed.text,
            principal=c.me,
            filters=parsed.filters,
            updated_from=parsed.updated_from,
            updated_to=parsed.updated_to,
            sort=sort,
            offset=start,
            per_page=rows or 0,
            max_per_page=MAX_ROWS,
            facets=bool(facet_fields),
            facet_limit=facet_limit,
        )
    except errors.InvalidInput as exc:
        raise _SearchQuery(exc.message) from exc
    facets = {
        f: {x["value"]: x["count"] for x in r.facets.get(CKAN_FACETS[f], [])} for f in facet_fields
    }
    return {
        "count": r.total,
        "sort": c.get("sort") or "score desc, metadata_modified desc",
        "facets": facets,
        "search_facets": {
            f: {
                "title": f,
                "items": [{"name": v, "display_name": v, "count": n} for v, n in vals.items()],
            }
            for f, vals in facets.items()
        },
        "results": [dicts.package_dict(d, c.base) for d in r.docs],
    }


class _SearchQuery(Exception):
    pass


def _facet_fields(raw: Any) -> list[str]:
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise CkanValidation({"facet.field": ["Must be a JSON list of field names"]})
    unknown = [f for f in raw if f not in CKAN_FACETS]
    if unknown:
        raise _SearchQuery(
            f"Unknown facet field(s): {', '.join(unknown)}; use: {', '.join(CKAN_FACETS)}."
        )
    return list(dict.fromkeys(raw))


def _show(c: Ctx, name: str) -> Any:
    c.platform.catalog.get_dataset(
        name, principal=c.me
    )  # raises "not found" for what c.me may not see
    doc = c.search.fresh_doc(name)
    if doc is None:
        raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
    return doc


def package_show(c: Ctx) -> dict[str, Any]:
    return dicts.package_dict(_show(c, c.required("id", "name_or_id")), c.base)


def package_list(c: Ctx) -> list[str]:
    names = c.search.index.visible_names(visibility_for(c.me))
    offset = c.integer("offset", 0) or 0
    limit = c.integer("limit", None)
    return names[offset : offset + limit if limit is not None else None]


def current_package_list_with_resources(c: Ctx) -> list[dict[str, Any]]:
    limit = c.integer("limit", 10, cap=MAX_ROWS) or 0
    page = c.integer("page", None)
    offset = (page - 1) * limit if page else (c.integer("offset", 0) or 0)
    r = c.search.search(
        "",
        principal=c.me,
        sort="newest",
        offset=max(0, offset),
        per_page=limit,
        max_per_page=MAX_ROWS,
        facets=False,
    )
    return [dicts.package_dict(d, c.base) for d in r.docs]


def _org_counts(c: Ctx) -> dict[str, int]:
    return dict(c.search.index.facet_counts("organization", visibility_for(c.me)))


def organization_list(c: Ctx) -> list[Any]:
    counts = _org_counts(c)
    orgs = c.platform.catalog.list_organizations()
    sort = str(c.get("sort") or "name asc")
    if sort.startswith("package_count"):
        orgs.sort(key=lambda o: counts.get(o.name, 0), reverse="desc" in sort)
    elif sort.startswith("title"):
        orgs.sort(key=lambda o: o.title.casefold(), reverse="desc" in sort)
    elif "desc" in sort:
        orgs.reverse()
    offset = c.integer("offset", 0) or 0
    limit = c.integer("limit", None, cap=MAX_ROWS)
    orgs = orgs[offset : offset + limit if limit is not None else None]
    if not c.flag("all_fields"):
        return [o.name for o in orgs]
    return [
        dicts.organization_dict(o.name, o.title, o.description, o.created_at, counts.get(o.name, 0))
        for o in orgs
    ]


def organization_show(c: Ctx) -> dict[str, Any]:
    org = c.platform.catalog.get_organization(c.required("id"))
    out = dicts.organization_dict(
        org.name, org.title, org.description, org.created_at, _org_counts(c).get(org.name, 0)
    )
    if c.flag("include_datasets"):
        r = c.search.search(
            "",
            principal=c.me,
            filters={"organization": [org.name]},
            sort="newest",
            per_page=MAX_ROWS,
            max_per_page=MAX_ROWS,
            facets=False,
        )
        out["packages"] = [dicts.package_dict(d, c.base) for d in r.docs]
    return out


def group_list(c: Ctx) -> list[Any]:
    themes = sorted(c.search.index.facet_counts("theme", visibility_for(c.me)))
    if not c.flag("all_fields"):
        return [t for t, _ in themes]
    return [dicts.group_dict(t, n) for t, n in themes]


def tag_list(c: Ctx) -> list[Any]:
    query = str(c.get("query") or "").casefold()
    tags = sorted(
        t
        for t, _ in c.search.index.facet_counts("keyword", visibility_for(c.me))
        if query in t.casefold()
    )
    if not c.flag("all_fields"):
        return tags
    return [
        {"id": t, "name": t, "display_name": t, "vocabulary_id": None, "state": "active"}
        for t in tags
    ]


def resource_show(c: Ctx) -> dict[str, Any]:
    rid = c.required("id")
    parsed = dicts.parse_resource_id(rid)
    if parsed is not None:
        doc = _show(c, parsed[0])
        for res in dicts.resources(doc, c.base):
            if res["id"] == rid:
                return res
    raise errors.NotFound(f"No resource with id {rid!r}; resource ids are listed in package_show.")


ACTIONS: dict[str, Callable[[Ctx], Any]] = {
    f.__name__: f
    for f in (
        status_show,
        package_search,
        package_show,
        package_list,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        group_list,
        tag_list,
        resource_show,
    )
}


# ----- transport --------------------------------------------------------------------------------
def ckan_principal(request: Request, platform: Platform) -> Principal:
    """The caller: a datanuri API token in `Authorization` (CKAN sends it bare) or
    `X-CKAN-API-Key`, else a browser session, else anonymous. Called inside the action, not as
    a dependency, so that its errors come back in CKAN's envelope."""
    client = client_address(request)
    _check_rate(request, f"addr:{client}")
    key = (
        request.headers.get("x-ckan-api-key") or request.headers.get("authorization") or ""
    ).strip()
    if key:
        if key.lower().startswith("bearer "):
            key = key[7:].strip()
        principal = platform.accounts.resolve_token(key)
    elif (found := session_principal(request)) is not None:
        principal, csrf = found
        if request.method not in SAFE_METHODS and not sec.same(
            request.headers.get(CSRF_HEADER, ""), csrf
        ):
            principal = ANONYMOUS
    else:
        principal = ANONYMOUS
    return principal.using(via="ckan", client=client)


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        ctype = request.headers.get("content-type", "")
        if body.strip():
            if "json" in ctype or body.lstrip()[:1] in (b"{", b"["):
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise ValueError("the JSON body must be an object")
                params.update(data)
            else:
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _envelope(
    base: str,
    action: str,
    *,
    result: Any = None,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> JSONResponse:
    body: dict[str, Any] = {
        "help": f"{base}/api/3/action/help_show?name={action}",
        "success": error is None,
    }
    if error is None:
        body["result"] = result
    else:
        body["error"] = error
    return JSONResponse(body, status_code=status)


@root_router.get("/api/3", tags=["ckan"])
def api_version() -> dict[str, int]:
    """CKAN API version discovery."""
    return {"version": 3}


@router.get("/{action}", tags=["ckan"], name="ckan_action_get")
async def action_get(action: str, request: Request, platform: PlatformDep) -> JSONResponse:
    """Call a CKAN action with query parameters."""
    return await _run_action(action, request, platform)


@router.post("/{action}", tags=["ckan"], name="ckan_action_post")
async def action_post(action: str, request: Request, platform: PlatformDep) -> JSONResponse:
    """Call a CKAN action with a JSON (or form) body."""
    return await _run_action(action, request, platform)


async def _run_action(action: str, request: Request, platform: Platform) -> JSONResponse:
    """Run a CKAN action and wrap it in CKAN's envelope."""
    base = str(request.base_url).rstrip("/")
    handler = ACTIONS.get(action)
    if handler is None:
        return _envelope(
            base,
            action,
            status=400,
            error={
                "__type": "Bad Request",
                "message": f"Bad request - Action name not known: {action}. Known: {', '.join(ACTIONS)}.",
            },
        )
    try:
        params = await _params(request)
    except ValueError as exc:
        return _envelope(
            base,
            action,
            status=400,
            error={"__type": "Bad Request", "message": f"Bad request - JSON Error: {exc}"},
        )
    try:
        me = await run_in_threadpool(ckan_principal, request, platform)
        ctx = Ctx(platform, platform.search, me, base, params)
        result = await run_in_threadpool(handler, ctx)
    except CkanValidation as exc:
        return _envelope(
            base, action, status=409, error={"__type": "Validation Error", **exc.fields}
        )
    except _SearchQuery as exc:
        return _envelope(
            base,
            action,
            status=400,
            error={"__type": "Search Query Error", "message": f"Search Query is invalid: {exc}"},
        )
    except errors.NotFound as exc:
        return _envelope(
            base,
            action,
            status=404,
            error={"__type": "Not Found Error", "message": f"Not found: {exc.message}"},
        )
    except (errors.PermissionDenied, errors.NotAuthenticated) as exc:
        return _envelope(
            base,
            action,
            status=403,
            error={"__type": "Authorization Error", "message": f"Access denied: {exc.message}"},
        )
    except errors.RateLimited as exc:
        resp = _envelope(
            base, action, status=429, error={"__type": "Rate Limit Error", "message": exc.message}
        )
        resp.headers["Retry-After"] = str(int(exc.retry_after))
        return resp
    except errors.InvalidInput as exc:
        return _envelope(
            base, action, status=409, error={"__type": "Validation Error", "message": exc.message}
        )
    except Exception:
        log.exception("CKAN action %s failed", action)
        return _envelope(
            base,
            action,
            status=500,
            error={
                "__type": "Internal Error",
                "message": "Internal server error; it has been logged.",
            },
        )
    return _envelope(base, action, result=result)
