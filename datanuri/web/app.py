"""The FastAPI application: REST API under /api/v1, OpenAPI at /openapi.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from datanuri import __version__
from datanuri.platform import Platform
from datanuri.web import (
    errors,
    routes_access,
    routes_accounts,
    routes_audit,
    routes_catalog,
    routes_ckan,
    routes_console,
    routes_decisions,
    routes_decisions_pages,
    routes_desk,
    routes_desk_pages,
    routes_explore,
    routes_firms,
    routes_ledger,
    routes_lifecycle,
    routes_linkage,
    routes_linkage_pages,
    routes_market_listings,
    routes_market_orders,
    routes_market_price,
    routes_metadata,
    routes_metadata_edit,
    routes_mfa,
    routes_models,
    routes_mydata,
    routes_oauth,
    routes_pages,
    routes_privacy,
    routes_search,
    routes_signup,
    routes_synth,
    routes_synth_pages,
    routes_ui,
    routes_webhooks,
    routes_wizard,
)
from datanuri.web.auth import PUBLIC
from datanuri.web.bodies import JsonBodyGuard
from datanuri.web.guard import Guard, WorkerHeader
from datanuri.web.openapi import document_errors
from datanuri.web.schemas import ApiRootOut
from datanuri.web.urls import UrlCheck

API_PREFIX = "/api/v1"


def create_app(platform: Platform) -> FastAPI:
    """Build the web app over an open platform (the caller owns and closes it)."""
    # Swagger UI and ReDoc served from the package's own copies: /docs works without internet
    # (Korean public networks are often closed to CDNs).
    app = FastAPIOffline(
        static_url="/static-docs",
        title="datanuri",
        version=__version__,
        description="A trusted data exchange: publish, find and download versioned open-format datasets.",
    )
    app.state.platform = platform
    errors.install(app)
    app.add_middleware(JsonBodyGuard)
    app.add_middleware(UrlCheck)  # undecodable paths and queries: a 400 saying how to encode
    app.add_middleware(Guard)  # outermost: rate limits and security headers on every answer
    if platform.config.worker_header:  # tests of several processes: which one answered
        app.add_middleware(WorkerHeader)
    app.include_router(routes_catalog.router, prefix=API_PREFIX)
    app.include_router(routes_explore.router, prefix=API_PREFIX)
    app.include_router(routes_accounts.router, prefix=API_PREFIX)
    app.include_router(routes_mfa.router, prefix=API_PREFIX)
    app.include_router(routes_signup.api, prefix=API_PREFIX)
    app.include_router(routes_signup.pages)
    app.include_router(routes_search.router, prefix=API_PREFIX)
    app.include_router(routes_privacy.router, prefix=API_PREFIX)
    app.include_router(routes_synth.router, prefix=API_PREFIX)
    app.include_router(routes_ledger.router, prefix=API_PREFIX)
    app.include_router(routes_audit.router, prefix=API_PREFIX)
    app.include_router(routes_access.router, prefix=API_PREFIX)
    app.include_router(routes_webhooks.router, prefix=API_PREFIX)
    app.include_router(routes_access.pages)
    app.include_router(routes_desk.router, prefix=API_PREFIX)
    app.include_router(routes_desk_pages.pages)
    app.include_router(routes_firms.router, prefix=API_PREFIX)
    app.include_router(routes_firms.pages)
    app.include_router(routes_market_orders.router, prefix=API_PREFIX)
    app.include_router(routes_market_orders.pages)
    app.include_router(routes_market_listings.router, prefix=API_PREFIX)
    app.include_router(routes_market_price.router, prefix=API_PREFIX)
    app.include_router(routes_market_listings.public)
    app.include_router(routes_market_listings.pages)
    app.include_router(routes_decisions.router, prefix=API_PREFIX)
    app.include_router(routes_decisions_pages.pages)
    app.include_router(routes_linkage.router, prefix=API_PREFIX)
    app.include_router(routes_linkage_pages.pages)
    app.include_router(routes_models.router, prefix=API_PREFIX)
    app.include_router(routes_mydata.router, prefix=API_PREFIX)
    app.include_router(routes_mydata.pages)
    app.include_router(routes_ledger.wellknown_router)
    app.include_router(routes_oauth.wellknown)  # MyData's authorization server (RFC 8414)
    app.include_router(routes_oauth.oauth)
    app.include_router(routes_oauth.pages)
    app.include_router(routes_oauth.console)
    app.include_router(routes_oauth.registration)
    app.include_router(routes_oauth.api, prefix=API_PREFIX)
    app.include_router(routes_ckan.router, prefix="/api/3/action")
    app.include_router(routes_ckan.router, prefix="/api/action")
    app.include_router(routes_ckan.root_router)
    app.include_router(routes_metadata.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_console.router)
    app.include_router(routes_lifecycle.router)
    app.include_router(routes_wizard.router)
    app.include_router(routes_synth_pages.router)
    app.include_router(routes_metadata_edit.router)  # before routes_ui's /datasets/{name}
    app.include_router(routes_metadata_edit.api_router, prefix=API_PREFIX)
    app.include_router(routes_ui.router)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )

    @app.get("/api/v1", tags=["meta"], response_model=ApiRootOut, dependencies=[PUBLIC])
    def api_root() -> dict[str, Any]:
        return {
            "name": "datanuri",
            "version": __version__,
            "docs": "/docs",
            "openapi": "/openapi.json",
        }

    @app.get("/healthz", tags=["meta"], dependencies=[PUBLIC])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    document_errors(app)
    return app
