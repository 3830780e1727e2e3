"""FastAPI dependencies shared by routers: the platform, as a typed `Annotated` alias."""

from __future__ import annotations

import re
from typing import Annotated, cast

from fastapi import Depends, Path, Request

from datanuri.platform import Platform


def get_platform(request: Request) -> Platform:
    """The platform the app was created over (`create_app`)."""
    return cast(Platform, request.app.state.platform)


PlatformDep = Annotated[Platform, Depends(get_platform)]

#: The largest integer the databases store (a 64-bit signed integer); larger ids or offsets are
#: refused as invalid input instead of failing in the driver.
MAX_INT = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,18}")
#: A row id in a path (a token, entitlement or release).
RowId = Annotated[int, Path(ge=1, le=MAX_INT)]
#: A ledger entry's index in a path.
EntryIndex = Annotated[int, Path(ge=0, le=MAX_INT)]


def whole_number(text: str) -> bool:
    """Whether `text` is ASCII digits only, small enough to store (``str.isdigit`` also accepts
    digits such as "³" that ``int`` refuses)."""
    return bool(_DIGITS.fullmatch(text))
