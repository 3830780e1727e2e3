"""Ledger event kinds of fingerprinted deliveries: a dataset's fingerprint scheme set, and a
copy delivered to a recipient. A delivery names the recipient only by their pseudonymous
reference (``user:ID``) and carries the copy's SHA-256, the scheme's and the key's fingerprint, so
a trace can later be checked against what was recorded when the copy left."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, _sha256, register


@register
@dataclass(frozen=True, kw_only=True)
class FingerprintSchemeSet(EventKind):
    """The holder declared (or changed) how the dataset's delivered copies are fingerprinted."""

    name: ClassVar[str] = "market.fingerprint.scheme_set"
    dataset: str
    scheme_sha256: str
    key_fingerprint: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"scheme": _sha256(self.scheme_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"key": self.key_fingerprint}


@register
@dataclass(frozen=True, kw_only=True)
class CopyDelivered(EventKind):
    """A recipient-specific fingerprinted copy of a version was delivered."""

    name: ClassVar[str] = "market.copy.delivered"
    dataset: str
    version: int
    recipient: str  # Principal.ref: user:ID, never an e-mail
    format: str
    key_fingerprint: str
    scheme_sha256: str
    copy_sha256: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"copy": _sha256(self.copy_sha256), "scheme": _sha256(self.scheme_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "version": self.version,
            "recipient": self.recipient,
            "format": self.format,
            "key": self.key_fingerprint,
        }
