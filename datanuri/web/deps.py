"""FastAPI dependencies shared by routers."""

from __future__ import annotations

from fastapi import Request

from datanuri.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform
