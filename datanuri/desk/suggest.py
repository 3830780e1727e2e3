"""What may already answer a data request, and who likely holds the data: datasets found by the
request's text (with why they match), organisations ranked from their catalogue, themes and past
answers, and existing requests that look like the same one (to join instead of filing twice).

INTERFACE STUB: the types and signatures are fixed; the bodies are replaced by the suggestion work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from datanuri.accounts.principal import Principal


@dataclass(frozen=True)
class RequestText:
    """The parts of a request that suggestions are computed from."""

    title: str
    description: str = ""
    theme: str | None = None
    region: str | None = None  # 시도/시군구 code (datanuri.regions)


@dataclass(frozen=True)
class OpenRequest:
    """An existing request a new one may duplicate."""

    id: int
    title: str
    description: str


@dataclass(frozen=True)
class DatasetMatch:
    """An existing dataset that may answer the request, and why."""

    name: str
    title: str
    organization: str
    score: float
    matched: tuple[str, ...]  # the request's terms found in the dataset
    fields: tuple[str, ...]  # where they were found: "title", "keywords", "columns", ...


@dataclass(frozen=True)
class OrgMatch:
    """An organisation likely to hold the data, with its reasons as (Korean, English) texts."""

    name: str
    title: str
    score: float
    reasons: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing request that looks like the same one."""

    request_id: int
    title: str
    score: float  # 0..1
    shared: tuple[str, ...]  # terms both share


@dataclass(frozen=True)
class Suggestions:
    datasets: tuple[DatasetMatch, ...] = ()
    organizations: tuple[OrgMatch, ...] = ()
    duplicates: tuple[DuplicateMatch, ...] = ()


class Suggester:
    """Suggestions for a request text, only from what `principal` may see."""

    def __init__(self, db: object, search: object, access: object) -> None:
        self.db, self.search, self.access = db, search, access

    def suggest(
        self,
        text: RequestText,
        *,
        principal: Principal,
        open_requests: Sequence[OpenRequest] = (),
        past_answers: Mapping[str, Sequence[str]] = {},  # organisation -> texts it answered
        limit: int = 5,
    ) -> Suggestions:
        return Suggestions()
