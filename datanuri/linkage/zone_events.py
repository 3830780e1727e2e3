"""Ledger kinds of the linkage zone: every step of a project is an entry whose subject is
`linkage-project:<name>`. Files go in as their SHA-256 (keyed uploads, linked tables, outputs),
free text (purpose, legal basis, SQL, reasons) only as SHA-256; the salt never goes in at all
(its fingerprint does). Imported by `platform.py` so the kinds are registered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from datanuri.events import EventKind, register


@dataclass(frozen=True, kw_only=True)
class _ZoneEvent(EventKind):
    """What every zone entry records (not a kind itself): the project, hashes and facts."""

    project: str
    digests: Mapping[str, str] = field(default_factory=dict)  # name -> hex SHA-256
    facts: Mapping[str, Any] = field(default_factory=dict)  # public facts only

    @property
    def subject(self) -> str:
        return f"linkage-project:{self.project}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {k: f"sha256:{v}" for k, v in self.digests.items() if v}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"project": self.project, **self.facts}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCreated(_ZoneEvent):
    """A linkage project was created: purpose and legal basis as SHA-256, members by role."""

    name: ClassVar[str] = "linkage.project.created"


@register
@dataclass(frozen=True, kw_only=True)
class SaltIssued(_ZoneEvent):
    """The key authority issued the project's salt; only its fingerprint is recorded."""

    name: ClassVar[str] = "linkage.salt.issued"


@register
@dataclass(frozen=True, kw_only=True)
class KeysUploaded(_ZoneEvent):
    """A holder uploaded a keyed file into the zone (its SHA-256, rows and columns)."""

    name: ClassVar[str] = "linkage.keys.uploaded"


@register
@dataclass(frozen=True, kw_only=True)
class MatchRun(_ZoneEvent):
    """The zone matched the uploaded files: method, inputs' and linked table's SHA-256."""

    name: ClassVar[str] = "linkage.match.run"


@register
@dataclass(frozen=True, kw_only=True)
class QueryRun(_ZoneEvent):
    """An analyst ran SQL inside the zone (its SHA-256 and the rows it returned)."""

    name: ClassVar[str] = "linkage.query.run"


@register
@dataclass(frozen=True, kw_only=True)
class ExportRequested(_ZoneEvent):
    """An analyst asked to export an output; the automatic disclosure checks' result."""

    name: ClassVar[str] = "linkage.export.requested"


@register
@dataclass(frozen=True, kw_only=True)
class ExportReviewed(_ZoneEvent):
    """A reviewer approved or rejected an export (the reason as SHA-256)."""

    name: ClassVar[str] = "linkage.export.reviewed"


@register
@dataclass(frozen=True, kw_only=True)
class ExportReleased(_ZoneEvent):
    """An approved output was published as a dataset of the operator organisation."""

    name: ClassVar[str] = "linkage.export.released"


@register
@dataclass(frozen=True, kw_only=True)
class ProjectClosed(_ZoneEvent):
    """A project was closed; the zone files to destroy are listed by SHA-256."""

    name: ClassVar[str] = "linkage.project.closed"


@register
@dataclass(frozen=True, kw_only=True)
class ZoneDestroyed(_ZoneEvent):
    """The zone's files and rows were deleted, each file checked absent afterwards (the proof)."""

    name: ClassVar[str] = "linkage.zone.destroyed"
