"""Fingerprinted deliveries: every download of a restricted dataset by a recipient whose access
comes from an entitlement carries that recipient's fingerprint, and is recorded.

The holder declares once per dataset how its copies are marked (`set_scheme`: the
`fingerprint.Scheme` and the key-store key the marks derive from). From then on the catalog's
download asks `copy_for` (the catalog's `CopyMaker` seam, wired in `platform.py`) before it
streams a version: for a signed-in user who is not a member of the holding organisation and not
an admin, reading a restricted dataset (so through an entitlement: the access request desk's
grants, and the market's orders, which grant through the same mechanism) it embeds the
recipient's marks (`fingerprint.embed`, keyed by ``user:ID``), writes the copy to the blob
store's temp area, records the delivery (who, version, key fingerprint, scheme and copy SHA-256)
and its ledger entry in one transaction, and hands the copy to the download. A failure to mark
or to record fails the download: no unmarked copy leaves for an entitled recipient of a dataset
with a scheme. The holder's own members and admins get the version as stored.

`trace` reads a leaked file and names the recipient among everyone who was delivered a copy of
the dataset (`fingerprint.detect`, Bonferroni over those recipients).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import User
from datanuri.accounts.policy import DatasetAccess
from datanuri.accounts.principal import Principal
from datanuri.events import EventSink
from datanuri.market import delivery_messages as M
from datanuri.market.delivery_events import CopyDelivered, FingerprintSchemeSet
from datanuri.market.delivery_tables import Delivery, FingerprintPlan
from datanuri.market.fingerprint import ALPHA, Detection, Scheme, dataset_key, embed
from datanuri.market.trace import DEFAULT_KEY, BuyerList, trace_file
from datanuri.privacy.keys import KeyStore
from datanuri.store.blobs import BlobStore, sha256_file
from datanuri.store.db import Database, utcnow


@dataclass(frozen=True)
class PlanInfo:
    """A dataset's fingerprint scheme and the key its marks derive from."""

    dataset: str
    scheme: Scheme
    scheme_sha256: str
    key_name: str
    key_fingerprint: str


@dataclass(frozen=True)
class DeliveryInfo:
    """One recorded delivery of a fingerprinted copy."""

    id: int
    dataset: str
    version: int
    recipient: str
    format: str
    key_fingerprint: str
    copy_sha256: str
    ledger_index: int | None


@dataclass(frozen=True)
class TraceResult:
    """A trace from the deliveries: the detection, and who each candidate reference is."""

    detection: Detection
    scheme: Scheme
    labels: dict[str, str]  # recipient ref -> e-mail (for the holder's eyes only)


def scheme_sha256(scheme: Scheme) -> str:
    """SHA-256 of the scheme's canonical JSON (what deliveries and the ledger name)."""
    return canonical.sha256(scheme.to_dict())


class Deliveries:
    """Fingerprint schemes, fingerprinted copies at download, and traces from the deliveries."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        keys: KeyStore,
        blobs: BlobStore,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.keys = keys
        self.blobs = blobs

    # ----- the holder ------------------------------------------------------------------------
    def set_scheme(
        self, dataset: str, scheme: Scheme, *, key_name: str = DEFAULT_KEY, principal: Principal
    ) -> PlanInfo:
        """Declare how copies of `dataset` are fingerprinted (its editors); recorded in the
        ledger. The key must exist in the organisation's key store."""
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "publish", dataset=ds)
            key = self.keys.info(ds.organization, key_name)  # InvalidInput: how to create it
            digest = scheme_sha256(scheme)
            row = s.get(FingerprintPlan, ds.id)
            if row is None:
                row = FingerprintPlan(dataset_id=ds.id)
                s.add(row)
            row.scheme, row.scheme_sha256, row.key_name = scheme.to_dict(), digest, key_name
            row.set_by, row.set_at = principal.ref, utcnow()
            self.events.record(
                s,
                FingerprintSchemeSet(
                    actor=principal.ref,
                    time=row.set_at,
                    dataset=ds.name,
                    scheme_sha256=digest,
                    key_fingerprint=key.fingerprint,
                ),
            )
        return PlanInfo(ds.name, scheme, digest, key_name, key.fingerprint)

    def plan(self, dataset: str, *, principal: Principal) -> PlanInfo | None:
        """The dataset's scheme (its editors), or None when it has none."""
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "publish", dataset=ds)
            row = s.get(FingerprintPlan, ds.id)
            if row is None:
                return None
            key = self.keys.info(ds.organization, row.key_name)
            return PlanInfo(
                ds.name,
                Scheme.from_dict(row.scheme),
                row.scheme_sha256,
                row.key_name,
                key.fingerprint,
            )

    def deliveries(self, dataset: str, *, principal: Principal) -> list[DeliveryInfo]:
        """Every recorded delivery of the dataset, newest first (its editors)."""
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "publish", dataset=ds)
            rows = s.scalars(
                select(Delivery).where(Delivery.dataset_id == ds.id).order_by(Delivery.id.desc())
            )
            return [
                DeliveryInfo(
                    r.id,
                    ds.name,
                    r.version,
                    r.recipient,
                    r.format,
                    r.key_fingerprint,
                    r.copy_sha256,
                    r.ledger_index,
                )
                for r in rows
            ]

    # ----- the download seam (catalog.guards.CopyMaker) --------------------------------------
    def copy_for(
        self, principal: Principal, dataset: DatasetAccess, version: int, parquet: Path, fmt: str
    ) -> Path | None:
        """The recipient's fingerprinted copy of `parquet`, recorded, or None when the recipient
        gets the version as stored (open data, members, admins, no scheme)."""
        if not fingerprinted(principal, dataset):
            return None
        with self.db.session() as s:
            row = s.get(FingerprintPlan, dataset.id)
            if row is None:
                return None
            plan = (Scheme.from_dict(row.scheme), row.scheme_sha256, row.key_name)
        scheme, digest, key_name = plan
        key = self.keys.get(dataset.organization, key_name)
        key_fp = self.keys.info(dataset.organization, key_name).fingerprint
        copy = embed(pq.read_table(parquet), scheme, dataset_key(key, dataset.name), principal.ref)
        out = self.blobs.temp_path(".parquet")
        try:
            pq.write_table(copy, out)
            copy_sha = sha256_file(out)
            with self.db.session() as s:
                now = utcnow()
                index = self.events.record(
                    s,
                    CopyDelivered(
                        actor=principal.ref,
                        time=now,
                        dataset=dataset.name,
                        version=version,
                        recipient=principal.ref,
                        format=fmt,
                        key_fingerprint=key_fp,
                        scheme_sha256=digest,
                        copy_sha256=copy_sha,
                    ),
                )
                s.add(
                    Delivery(
                        dataset_id=dataset.id,
                        version=version,
                        recipient=principal.ref,
                        user_id=principal.user_id,
                        format=fmt,
                        key_name=key_name,
                        key_fingerprint=key_fp,
                        scheme_sha256=digest,
                        copy_sha256=copy_sha,
                        ledger_index=index,
                        created_at=now,
                    )
                )
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        return out

    # ----- tracing ---------------------------------------------------------------------------
    def trace(
        self,
        path: Path,
        dataset: str,
        *,
        principal: Principal,
        scheme: Scheme | None = None,
        buyers: list[str] | None = None,
        key_name: str | None = None,
        alpha: float = ALPHA,
    ) -> TraceResult:
        """Name the recipient whose copy of `dataset` the file is (its editors): the stored
        scheme and key, and everyone delivered a copy as candidates, unless given."""
        with self.db.session() as s:
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "publish", dataset=ds)
            row = s.get(FingerprintPlan, ds.id)
            if scheme is None and row is None:
                raise errors.InvalidInput(M.MSG_NO_PLAN.format(name=ds.name))
            used = scheme or Scheme.from_dict(row.scheme)  # type: ignore[union-attr]
            key_name = key_name or (row.key_name if row is not None else DEFAULT_KEY)
            candidates = list(buyers) if buyers else _recipients(s, ds.id)
            if not candidates:
                raise errors.InvalidInput(M.MSG_NO_DELIVERIES.format(name=ds.name))
            labels = _labels(s, candidates)
        found = trace_file(
            path,
            dataset=ds.name,
            scheme=used,
            key=self.keys.get(ds.organization, key_name),
            candidates=BuyerList(tuple(candidates)),
            alpha=alpha,
        )
        return TraceResult(found, used, labels)


def fingerprinted(principal: Principal, dataset: DatasetAccess) -> bool:
    """Whether this recipient's copies carry their fingerprint: a signed-in user reading a
    restricted dataset neither as a member of its organisation nor as an admin (the catalog has
    already allowed the read, so the access comes from an entitlement)."""
    return (
        dataset.access_level == "restricted"
        and principal.kind == "user"
        and principal.user_id is not None
        and not principal.is_admin
        and principal.role_in(dataset.organization) is None
    )


def _recipients(s: Session, dataset_id: int) -> list[str]:
    q = select(Delivery.recipient).where(Delivery.dataset_id == dataset_id).distinct()
    return sorted(s.scalars(q))


def _labels(s: Session, refs: list[str]) -> dict[str, str]:
    """E-mails of the `user:ID` references among `refs`, in one query."""
    ids = {int(r.split(":", 1)[1]): r for r in refs if r.startswith("user:") and r[5:].isdigit()}
    if not ids:
        return {}
    rows = s.execute(select(User.id, User.email).where(User.id.in_(list(ids))))
    return {ids[i]: email for i, email in rows}
