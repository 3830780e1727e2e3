"""FastAPI dependencies shared by routers: the platform, as a typed `Annotated` alias."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from datanuri.platform import Platform


def get_platform(request: Request) -> Platform:
    """The platform the app was created over (`create_app`)."""
    return cast(Platform, request.app.state.platform)


PlatformDep = Annotated[Platform, Depends(get_platform)]
