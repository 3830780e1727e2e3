"""Trust-relevant events, one frozen dataclass per kind, a registry of the kinds, and the sink
that records them.

Capabilities describe what happened as a registered kind (e.g. `VersionPublished`) and hand it to
the platform's `EventSink` inside the same database transaction as the action itself (trust rule
2: recorded before it takes effect; a failure to record fails the action). The integrity ledger
is the real sink. Every kind serialises to the one ledger entry shape of `Event.to_json_obj()`
(type, actor, subject, time, hashes, data), so entries written before the kinds existed still
verify with the same digests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """A ledger entry as stored: who did what to which subject, and the content hashes involved.

    Capabilities build a registered kind instead; this free-form shape is for tools and tests."""

    type: str  # e.g. "dataset.version.published"
    actor: str  # user or system principal, e.g. "user:alice" or "system"
    subject: str  # e.g. "dataset:seoul-air-quality@3"
    time: dt.datetime
    hashes: Mapping[str, str] = field(default_factory=dict)  # e.g. {"parquet": "sha256:..."}
    data: Mapping[str, Any] = field(default_factory=dict)  # small extra facts, JSON-serialisable

    def to_json_obj(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "actor": self.actor,
            "subject": self.subject,
            "time": self.time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "hashes": dict(self.hashes),
            "data": dict(self.data),
        }


@dataclass(frozen=True, kw_only=True)
class EventKind:
    """Base of the registered kinds: `name` is the entry's type; subclasses add typed fields and
    say how they map onto the entry's subject, hashes and data."""

    name: ClassVar[str]
    actor: str  # user or system principal, e.g. "user:alice" or "system"
    time: dt.datetime

    @property
    def type(self) -> str:
        return self.name

    @property
    def subject(self) -> str:
        raise NotImplementedError

    @property
    def hashes(self) -> Mapping[str, str]:
        return {}

    @property
    def data(self) -> Mapping[str, Any]:
        return {}

    def to_event(self) -> Event:
        """The entry as stored (the free-form shape), field for field."""
        return Event(self.type, self.actor, self.subject, self.time, self.hashes, self.data)

    def to_json_obj(self) -> dict[str, Any]:
        return self.to_event().to_json_obj()


AnyEvent = Event | EventKind
_REGISTRY: dict[str, type[EventKind]] = {}
K = TypeVar("K", bound=type[EventKind])


def register(kind: K) -> K:
    """Class decorator: add `kind` to the registry (one class per name)."""
    if kind.name in _REGISTRY:
        raise ValueError(f"Event kind {kind.name!r} is registered twice.")
    _REGISTRY[kind.name] = kind
    return kind


def registry() -> dict[str, type[EventKind]]:
    """Every registered event kind by name, sorted by name."""
    return dict(sorted(_REGISTRY.items()))


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str


@dataclass(frozen=True)
class KindInfo:
    """What an auditor sees of a kind: its name, what it records and its typed fields."""

    name: str
    description: str
    fields: tuple[FieldInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "fields": [{"name": f.name, "type": f.type} for f in self.fields],
        }


def describe(kind: type[EventKind]) -> KindInfo:
    return KindInfo(
        name=kind.name,
        description=" ".join((kind.__doc__ or "").split()),
        fields=tuple(
            FieldInfo(f.name, str(f.type).replace("dt.", "")) for f in dataclasses.fields(kind)
        ),
    )


def describe_all() -> list[KindInfo]:
    """Every registered kind with its fields, for `datanuri ledger events` and the API."""
    return [describe(k) for k in registry().values()]


def version_subject(dataset: str, version: int) -> str:
    """The subject of an entry about one version of a dataset, e.g. "dataset:air@3"."""
    return f"dataset:{dataset}@{version}"


def _sha256(hexdigest: str) -> str:
    return f"sha256:{hexdigest}"


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None


# ----- catalog -------------------------------------------------------------------------------
@register
@dataclass(frozen=True, kw_only=True)
class DatasetAccessChanged(EventKind):
    """A dataset's access level changed (open, restricted, personal)."""

    name: ClassVar[str] = "dataset.access.changed"
    dataset: str
    old_level: str
    new_level: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {"from": self.old_level, "to": self.new_level}


@register
@dataclass(frozen=True, kw_only=True)
class VersionPublished(EventKind):
    """A dataset version was published: its Parquet and source file SHA-256 hashes."""

    name: ClassVar[str] = "dataset.version.published"
    dataset: str
    version: int
    parquet_sha256: str  # hex digest of the stored Parquet file
    source_sha256: str  # hex digest of the uploaded source file
    rows: int
    access_level: str

    @property
    def subject(self) -> str:
        return version_subject(self.dataset, self.version)

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"parquet": _sha256(self.parquet_sha256), "source": _sha256(self.source_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"rows": self.rows, "access_level": self.access_level}


@register
@dataclass(frozen=True, kw_only=True)
class VersionWithdrawn(EventKind):
    """A published version was withdrawn with a reason: its rows are no longer served, and its
    publication entry stays in the ledger (the catalog shows a tombstone)."""

    name: ClassVar[str] = "dataset.version.withdrawn"
    dataset: str
    version: int
    parquet_sha256: str  # the content withdrawn, as its publication recorded it
    reason: str

    @property
    def subject(self) -> str:
        return version_subject(self.dataset, self.version)

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"parquet": _sha256(self.parquet_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"reason": self.reason}


@register
@dataclass(frozen=True, kw_only=True)
class DatasetDeleted(EventKind):
    """A dataset that never had a version was deleted by its holder; its name may be used again,
    so access levels recorded under it before no longer apply."""

    name: ClassVar[str] = "dataset.deleted"
    dataset: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"


# ----- privacy -------------------------------------------------------------------------------
@register
@dataclass(frozen=True, kw_only=True)
class PrivacyReleased(EventKind):
    """A de-identified version was released from a source version under a passing policy."""

    name: ClassVar[str] = "privacy.release"
    dataset: str  # the target dataset
    version: int  # the target version
    release_id: int
    source_dataset: str
    source_version: int
    access_level: str
    rows: int
    model: str | None  # the policy's privacy model
    source_sha256: str
    policy_sha256: str
    report_sha256: str
    output_sha256: str
    keys: Mapping[str, str] = field(default_factory=dict)  # pseudonymisation key -> fingerprint
    # pseudonymisation key -> whether its pseudonyms are linkable across releases (the key itself)
    # or derived per release (false); recorded whenever `keys` is
    linkable: Mapping[str, bool] = field(default_factory=dict)
    # a differential-privacy release: the epsilon it spent from its source's privacy-loss budget
    epsilon: float | None = None

    @property
    def subject(self) -> str:
        return version_subject(self.dataset, self.version)

    @property
    def hashes(self) -> Mapping[str, str]:
        return {
            "source": _sha256(self.source_sha256),
            "policy": _sha256(self.policy_sha256),
            "report": _sha256(self.report_sha256),
            "output": _sha256(self.output_sha256),
        }

    @property
    def data(self) -> Mapping[str, Any]:
        data: dict[str, Any] = {
            "release": self.release_id,
            "source": version_subject(self.source_dataset, self.source_version),
            "access_level": self.access_level,
            "rows": self.rows,
            "model": self.model,
        }
        if self.keys:
            data["keys"] = dict(self.keys)
        if self.linkable:
            data["linkable"] = dict(self.linkable)
        if self.epsilon is not None:
            data["epsilon"] = self.epsilon
        return data


@register
@dataclass(frozen=True, kw_only=True)
class KeyCreated(EventKind):
    """An organisation created a pseudonymisation key (its fingerprint, never the key)."""

    name: ClassVar[str] = "privacy.key.created"
    organization: str
    key: str
    fingerprint: str
    algorithm: str = "HMAC-SHA-256"

    @property
    def subject(self) -> str:
        return f"org:{self.organization}/key:{self.key}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "organization": self.organization,
            "key": self.key,
            "fingerprint": self.fingerprint,
            "algorithm": self.algorithm,
        }


# ----- accounts ------------------------------------------------------------------------------
@register
@dataclass(frozen=True, kw_only=True)
class TokenCreated(EventKind):
    """An API token was created for a user, with its scopes and expiry."""

    name: ClassVar[str] = "token.created"
    token_id: int
    user_id: int
    scopes: tuple[str, ...]
    expires_at: dt.datetime | None

    @property
    def subject(self) -> str:
        return f"token:{self.token_id}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "user": f"user:{self.user_id}",
            "scopes": list(self.scopes),
            "expires_at": _iso(self.expires_at),
        }


@register
@dataclass(frozen=True, kw_only=True)
class TokenRevoked(EventKind):
    """An API token was revoked."""

    name: ClassVar[str] = "token.revoked"
    token_id: int

    @property
    def subject(self) -> str:
        return f"token:{self.token_id}"


@register
@dataclass(frozen=True, kw_only=True)
class EntitlementGranted(EventKind):
    """A user was entitled to a restricted dataset, until an expiry or for good."""

    name: ClassVar[str] = "entitlement.granted"
    dataset: str
    user_id: int
    expires_at: dt.datetime | None

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {"user": f"user:{self.user_id}", "expires_at": _iso(self.expires_at)}


@register
@dataclass(frozen=True, kw_only=True)
class EntitlementRevoked(EventKind):
    """An entitlement to a restricted dataset was revoked."""

    name: ClassVar[str] = "entitlement.revoked"
    dataset: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"


# ----- access requests: asked, decided, withdrawn (the purpose and reasons only as hashes) -----
@register
@dataclass(frozen=True, kw_only=True)
class AccessRequested(EventKind):
    """A user asked the holder for access to a restricted dataset's rows, for a purpose (only
    its SHA-256 is recorded: the text may be personal) and a period in days."""

    name: ClassVar[str] = "access.requested"
    dataset: str
    request_id: int
    user_id: int
    purpose_sha256: str
    days: int

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"purpose": _sha256(self.purpose_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"request": self.request_id, "user": f"user:{self.user_id}", "days": self.days}


@dataclass(frozen=True, kw_only=True)
class _AccessDecision(EventKind):
    """What the three outcomes of an access request record (not a kind itself)."""

    dataset: str
    request_id: int
    user_id: int  # the requester
    reason_sha256: str | None  # the holder's reason may quote the purpose: only its hash

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"reason": _sha256(self.reason_sha256)} if self.reason_sha256 else {}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"request": self.request_id, "user": f"user:{self.user_id}"}


@register
@dataclass(frozen=True, kw_only=True)
class AccessApproved(_AccessDecision):
    """The holder approved a request for access until an expiry (the entitlement it grants is an
    `entitlement.granted` entry of its own, in the same transaction)."""

    name: ClassVar[str] = "access.request.approved"
    expires_at: dt.datetime

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "expires_at": _iso(self.expires_at)}


@register
@dataclass(frozen=True, kw_only=True)
class AccessRefused(_AccessDecision):
    """The holder refused a request for access, giving a reason (recorded as its SHA-256)."""

    name: ClassVar[str] = "access.request.refused"


@register
@dataclass(frozen=True, kw_only=True)
class AccessWithdrawn(_AccessDecision):
    """The requester withdrew their pending request for access."""

    name: ClassVar[str] = "access.request.withdrawn"


@register
@dataclass(frozen=True, kw_only=True)
class PrivacyBudgetDeclared(EventKind):
    """An owner of the holding organisation declared the privacy-loss budget (total epsilon of
    all differential-privacy releases) of a personal dataset."""

    name: ClassVar[str] = "privacy.budget.declared"
    dataset: str
    organization: str
    budget: float
    previous: float | None  # the budget in force before (declared or the platform default)
    spent: float  # epsilon already spent when declared

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "organization": self.organization,
            "budget": self.budget,
            "previous": self.previous,
            "spent": self.spent,
        }


@register
@dataclass(frozen=True, kw_only=True)
class SecondFactorEnrolled(EventKind):
    """A user enrolled a second factor (its kind, totp or passkey; never a secret)."""

    name: ClassVar[str] = "account.second_factor.enrolled"
    user_id: int
    kind: str

    @property
    def subject(self) -> str:
        return f"user:{self.user_id}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {"kind": self.kind}


# ----- sinks ---------------------------------------------------------------------------------
class EventSink(Protocol):
    def record(self, session: Session, event: AnyEvent) -> int | None:
        """Record `event` inside `session`'s transaction; return its ledger index if any."""


class MemorySink:
    """Keeps events in a list; used where no ledger is wired (and by tests of capabilities)."""

    def __init__(self) -> None:
        self.events: list[AnyEvent] = []

    def record(self, session: Session, event: AnyEvent) -> int | None:
        self.events.append(event)
        return len(self.events) - 1


# ----- publish guard: detection on every open or restricted publish --------------------------
@register
@dataclass(frozen=True, kw_only=True)
class DetectionOverridden(EventKind):
    """The holder organisation's owner published content into an open or restricted dataset
    although identifier detection flagged columns as direct identifiers, giving a reason."""

    name: ClassVar[str] = "privacy.detection.overridden"
    dataset: str
    access_level: str  # of the dataset the content goes into
    parquet_sha256: str  # the content the override is for
    columns: tuple[str, ...]  # the columns detection flagged
    reason: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"parquet": _sha256(self.parquet_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "access_level": self.access_level,
            "columns": list(self.columns),
            "reason": self.reason,
        }
