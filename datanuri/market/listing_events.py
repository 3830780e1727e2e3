"""Ledger event kinds of market listings: published, unpublished (or archived while published),
and a change of licence. Each names the listing's dataset and carries the licence's SHA-256 (of
its JSON-LD, RFC 8785 canonical), so a buyer can check the licence they were shown against the
ledger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, _sha256, register


@dataclass(frozen=True, kw_only=True)
class _ListingEvent(EventKind):
    dataset: str
    listing_id: int
    licence_sha256: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"licence": _sha256(self.licence_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"listing": self.listing_id}


@register
@dataclass(frozen=True, kw_only=True)
class ListingPublished(_ListingEvent):
    """A market listing was published: the dataset is offered for sale under the licence whose
    SHA-256 is recorded, at the price recorded."""

    name: ClassVar[str] = "market.listing.published"
    price: Mapping[str, Any]  # listing_rules.price_to_dict
    version: int | None  # None: every version (the series)
    sample_sha256: str | None

    @property
    def data(self) -> Mapping[str, Any]:
        out: dict[str, Any] = {"listing": self.listing_id, "price": dict(self.price)}
        if self.version is not None:
            out["version"] = self.version
        if self.sample_sha256:
            out["sample"] = _sha256(self.sample_sha256)
        return out


@register
@dataclass(frozen=True, kw_only=True)
class ListingUnpublished(_ListingEvent):
    """A published market listing was taken off sale (unpublished or archived)."""

    name: ClassVar[str] = "market.listing.unpublished"
    archived: bool = False

    @property
    def data(self) -> Mapping[str, Any]:
        return {"listing": self.listing_id, "archived": self.archived}


@register
@dataclass(frozen=True, kw_only=True)
class ListingLicenceChanged(_ListingEvent):
    """The licence of a published market listing changed: the new licence's SHA-256, and the
    previous one's."""

    name: ClassVar[str] = "market.listing.licence.changed"
    previous_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return {
            "licence": _sha256(self.licence_sha256),
            "previous": _sha256(self.previous_sha256),
        }
