"""The OpenAPI document with the error answers each route really gives.

FastAPI documents a route's success and its 422 for bad parameters; the errors datanuri's own
layers add are documented here, once, from what each route declares: every route can be rate
limited (429) and may fail on the server (500 is not listed); a route that reads its caller
(`ReadCaller`, `PublishCaller`, `AdminCaller`) answers 401 and 403; a parameter names
something that may not exist (404); a write may conflict (409) and takes a bounded JSON body
(400, 413, 422); the public login routes answer 401 and 403 (bad password, locked). CKAN routes
answer in CKAN's shape, with its 400, 403, 404 and 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from datanuri.web.auth import Need

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}
CKAN_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "CkanError",
    "properties": {
        "help": {"type": "string"},
        "success": {"type": "boolean", "enum": [False]},
        "error": {"type": "object"},
    },
}
DESCRIPTIONS = {
    400: "Bad request: the body is not valid JSON or is nested too deeply",
    401: "Not logged in: send a token or log in",
    403: "Not allowed: the caller's role or token scope does not permit it",
    404: "Not found (or not visible to the caller)",
    405: "Method not allowed (the Allow header lists the methods)",
    409: "Conflict with the current state",
    410: "Withdrawn: the version's rows are no longer served (its record says why)",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests: wait the Retry-After seconds",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CKAN_PREFIXES = ("/api/3/action", "/api/action")
#: Routes that read no caller but check a credential of their own (a password, a challenge,
#: a MyData recipient's DPoP-bound access token).
CREDENTIAL_ROUTES = ("/api/v1/auth/", "/api/v1/mydata/transfers/", "/api/v1/mydata/consent/")


def _reads_caller(route: APIRoute) -> bool:
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Need):
            return True
        stack.extend(dep.dependencies)
    return False


def statuses(route: APIRoute, path: str, method: str) -> set[int]:
    """The error statuses `route` (at `path`) answers for `method`, beyond FastAPI's own."""
    if path.startswith(CKAN_PREFIXES):
        return {400, 403, 404, 405, 409, 429}
    out = {429}
    if _reads_caller(route) or path.startswith(CREDENTIAL_ROUTES):
        out |= {401, 403}
    if route.dependant.query_params or route.dependant.path_params:
        out |= {404, 422}  # a parameter may name a dataset, organisation or entry that is not there
    if method in WRITES:
        out |= {400, 404, 409, 413, 422}  # a body may name an organisation that is not there
    if "{version}" in path:
        out |= {410}  # a withdrawn version
    return out


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` list each route's error answers (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = ERROR_SCHEMA
        components["CkanError"] = CKAN_ERROR_SCHEMA
        for ctx in iter_route_contexts(app.routes):
            route, path = ctx.route, ctx.path_format or ""
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            ref = "CkanError" if path.startswith(CKAN_PREFIXES) else "Error"
            for method in ctx.methods or ():
                op = schema["paths"].get(path, {}).get(method.lower())
                if op is None:
                    continue
                answers = op.setdefault("responses", {})
                for code in sorted(statuses(route, path, method)):
                    answers.setdefault(
                        str(code),
                        {
                            "description": DESCRIPTIONS[code],
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": f"#/components/schemas/{ref}"}
                                }
                            },
                        },
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
