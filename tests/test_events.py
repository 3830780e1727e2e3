"""The typed event kinds: a registry of every kind, and ledger entries byte-for-byte the same as the
free-form events the capabilities built before, so old ledgers verify with the same digests."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from datanuri import events
from datanuri.audit.events import AuditRecorded, DriftChecked, ModelRegistered
from datanuri.decisions import events as ai
from datanuri.desk import events as desk  # registers the desk's kinds
from datanuri.desk import firm_events as fe
from datanuri.events import Event
from datanuri.ledger import canonical_leaf
from datanuri.market import book_events, delivery_events, listing_events, order_events
from datanuri.mydata import events as md
from datanuri.synth.events import SynthReleased

T = dt.datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=9)))
H = ["ab" * 32, "cd" * 32, "ef" * 32, "01" * 32]
EXPIRES = dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def _pairs() -> list[tuple[events.EventKind, Event]]:
    """Each kind with the free-form `Event` its call site built before the kinds existed
    (copied from those call sites), for the same values."""
    return [
        (
            events.SecondFactorEnrolled(actor="user:4", time=T, user_id=4, kind="passkey"),
            Event(
                type="account.second_factor.enrolled",
                actor="user:4",
                subject="user:4",
                time=T,
                data={"kind": "passkey"},
            ),
        ),
        (
            events.DatasetAccessChanged(
                actor="user:1", time=T, dataset="air", old_level="open", new_level="restricted"
            ),
            Event(
                type="dataset.access.changed",
                actor="user:1",
                subject="dataset:air",
                time=T,
                data={"from": "open", "to": "restricted"},
            ),
        ),
        (
            events.VersionPublished(
                actor="user:1",
                time=T,
                dataset="서울-대기질",
                version=3,
                parquet_sha256=H[0],
                source_sha256=H[1],
                rows=1234,
                access_level="open",
            ),
            Event(
                type="dataset.version.published",
                actor="user:1",
                subject="dataset:서울-대기질@3",
                time=T,
                hashes={"parquet": f"sha256:{H[0]}", "source": f"sha256:{H[1]}"},
                data={"rows": 1234, "access_level": "open"},
            ),
        ),
        *[
            (
                events.PrivacyReleased(
                    actor="user:2",
                    time=T,
                    dataset="air-deid",
                    version=2,
                    release_id=7,
                    source_dataset="air",
                    source_version=5,
                    access_level="restricted",
                    rows=99,
                    model=model,
                    source_sha256=H[0],
                    policy_sha256=H[1],
                    report_sha256=H[2],
                    output_sha256=H[3],
                    keys=keys,
                    linkable=linkable,
                    epsilon=epsilon,
                ),
                Event(
                    type="privacy.release",
                    actor="user:2",
                    subject="dataset:air-deid@2",
                    time=T,
                    hashes={
                        "source": f"sha256:{H[0]}",
                        "policy": f"sha256:{H[1]}",
                        "report": f"sha256:{H[2]}",
                        "output": f"sha256:{H[3]}",
                    },
                    data={
                        "release": 7,
                        "source": "dataset:air@5",
                        "access_level": "restricted",
                        "rows": 99,
                        "model": model,
                        **({"keys": keys} if keys else {}),
                        **({"linkable": linkable} if linkable else {}),
                        **({"epsilon": epsilon} if epsilon is not None else {}),
                    },
                ),
            )
            for model, keys, linkable, epsilon in [
                ("k-anonymity", {}, {}, None),
                (None, {"holder-2026": "sha256:ff"}, {}, None),
                ("k-anonymity", {"holder-2026": "sha256:ff"}, {"holder-2026": True}, None),
                ("differential-privacy", {}, {}, 1.5),
            ]
        ],
        (
            events.KeyCreated(
                actor="user:2", time=T, organization="org-a", key="k1", fingerprint="fp:12"
            ),
            Event(
                type="privacy.key.created",
                actor="user:2",
                subject="org:org-a/key:k1",
                time=T,
                data={
                    "organization": "org-a",
                    "key": "k1",
                    "fingerprint": "fp:12",
                    "algorithm": "HMAC-SHA-256",
                },
            ),
        ),
        *[
            (
                events.TokenCreated(
                    actor="user:1",
                    time=T,
                    token_id=4,
                    user_id=9,
                    scopes=("read", "write"),
                    expires_at=expires,
                ),
                Event(
                    type="token.created",
                    actor="user:1",
                    subject="token:4",
                    time=T,
                    data={
                        "user": "user:9",
                        "scopes": ["read", "write"],
                        "expires_at": expires.isoformat() if expires else None,
                    },
                ),
            )
            for expires in [EXPIRES, None]
        ],
        (
            events.TokenRevoked(actor="user:1", time=T, token_id=4),
            Event(type="token.revoked", actor="user:1", subject="token:4", time=T),
        ),
        *[
            (
                events.EntitlementGranted(
                    actor="system", time=T, dataset="air", user_id=9, expires_at=expires
                ),
                Event(
                    type="entitlement.granted",
                    actor="system",
                    subject="dataset:air",
                    time=T,
                    data={
                        "user": "user:9",
                        "expires_at": expires.isoformat() if expires else None,
                    },
                ),
            )
            for expires in [EXPIRES, None]
        ],
        (
            events.EntitlementRevoked(actor="user:1", time=T, dataset="air"),
            Event(type="entitlement.revoked", actor="user:1", subject="dataset:air", time=T),
        ),
        (
            events.PrivacyBudgetDeclared(
                actor="user:2",
                time=T,
                dataset="visits",
                organization="org-a",
                budget=3.0,
                previous=10.0,
                spent=1.5,
            ),
            Event(
                type="privacy.budget.declared",
                actor="user:2",
                subject="dataset:visits",
                time=T,
                data={"organization": "org-a", "budget": 3.0, "previous": 10.0, "spent": 1.5},
            ),
        ),
        (
            events.DetectionOverridden(
                actor="user:1",
                time=T,
                dataset="air",
                access_level="open",
                parquet_sha256=H[0],
                columns=("id", "station"),
                reason="station codes, not people",
            ),
            Event(
                type="privacy.detection.overridden",
                actor="user:1",
                subject="dataset:air",
                time=T,
                hashes={"parquet": f"sha256:{H[0]}"},
                data={
                    "access_level": "open",
                    "columns": ["id", "station"],
                    "reason": "station codes, not people",
                },
            ),
        ),
        (
            events.AccessRequested(
                actor="user:9",
                time=T,
                dataset="air",
                request_id=3,
                user_id=9,
                purpose_sha256=H[0],
                days=90,
            ),
            Event(
                type="access.requested",
                actor="user:9",
                subject="dataset:air",
                time=T,
                hashes={"purpose": f"sha256:{H[0]}"},
                data={"request": 3, "user": "user:9", "days": 90},
            ),
        ),
        (
            events.AccessApproved(
                actor="user:2",
                time=T,
                dataset="air",
                request_id=3,
                user_id=9,
                reason_sha256=None,
                expires_at=EXPIRES,
            ),
            Event(
                type="access.request.approved",
                actor="user:2",
                subject="dataset:air",
                time=T,
                data={"request": 3, "user": "user:9", "expires_at": EXPIRES.isoformat()},
            ),
        ),
        (
            events.AccessRefused(
                actor="user:2", time=T, dataset="air", request_id=3, user_id=9, reason_sha256=H[1]
            ),
            Event(
                type="access.request.refused",
                actor="user:2",
                subject="dataset:air",
                time=T,
                hashes={"reason": f"sha256:{H[1]}"},
                data={"request": 3, "user": "user:9"},
            ),
        ),
        (
            events.AccessWithdrawn(
                actor="user:9", time=T, dataset="air", request_id=3, user_id=9, reason_sha256=None
            ),
            Event(
                type="access.request.withdrawn",
                actor="user:9",
                subject="dataset:air",
                time=T,
                data={"request": 3, "user": "user:9"},
            ),
        ),
        (
            events.VersionWithdrawn(
                actor="user:1", time=T, dataset="air", version=2, parquet_sha256=H[0], reason="오류"
            ),
            Event(
                type="dataset.version.withdrawn",
                actor="user:1",
                subject="dataset:air@2",
                time=T,
                hashes={"parquet": f"sha256:{H[0]}"},
                data={"reason": "오류"},
            ),
        ),
        (
            events.DatasetDeleted(actor="user:1", time=T, dataset="air"),
            Event(type="dataset.deleted", actor="user:1", subject="dataset:air", time=T),
        ),  # The books of the data market (datanuri/market/book_events.py): new kinds, no old form;
        # compared with the entry they must make.
        (
            book_events.CreditToppedUp(
                actor="system", time=T, entry_sha256=H[0], amount=5000, currency="KRW"
            ),
            Event(
                type="market.credit.topped_up",
                actor="system",
                subject="market:books",
                time=T,
                hashes={"entry": f"sha256:{H[0]}"},
                data={"amount": 5000, "currency": "KRW"},
            ),
        ),
        (
            book_events.SaleCharged(
                actor="user:3",
                time=T,
                organization="seoul",
                entry_sha256=H[1],
                amount=7001,
                fee=233,
                currency="KRW",
            ),  # fmt: skip
            Event(
                type="market.sale.charged",
                actor="user:3",
                subject="org:seoul",
                time=T,
                hashes={"entry": f"sha256:{H[1]}"},
                data={"amount": 7001, "fee": 233, "currency": "KRW"},
            ),
        ),
        (
            book_events.SaleRefunded(
                actor="user:9",
                time=T,
                organization="seoul",
                entry_sha256=H[2],
                sale_sha256=H[1],
                amount=100,
                fee=3,
                currency="KRW",
            ),  # fmt: skip
            Event(
                type="market.sale.refunded",
                actor="user:9",
                subject="org:seoul",
                time=T,
                hashes={"entry": f"sha256:{H[2]}", "sale": f"sha256:{H[1]}"},
                data={"amount": 100, "fee": 3, "currency": "KRW"},
            ),
        ),
        *_desk_pairs(),
    ]


def _desk_pairs() -> list[tuple[events.EventKind, Event]]:
    """The data request desk's kinds (new: the entry each one writes, pinned)."""
    sub = "data-request:7"
    due = dt.date(2027, 3, 17)
    return [
        (
            desk.DeskFiled(
                actor="user:9",
                time=T,
                request_id=7,
                user_id=9,
                text_sha256=H[0],
                purpose_sha256=H[1],
                theme="교통",
                organization=None,
            ),
            Event(
                type="desk.request.filed",
                actor="user:9",
                subject=sub,
                time=T,
                hashes={"text": f"sha256:{H[0]}", "purpose": f"sha256:{H[1]}"},
                data={"request": 7, "user": "user:9", "theme": "교통", "organization": None},
            ),
        ),
        (
            desk.DeskSupported(
                actor="user:3", time=T, request_id=7, user_id=3, joined=True, supporters=2
            ),
            Event(
                type="desk.request.supported",
                actor="user:3",
                subject=sub,
                time=T,
                data={"request": 7, "user": "user:3", "joined": True, "supporters": 2},
            ),
        ),
        (
            desk.DeskRouted(
                actor="user:1",
                time=T,
                request_id=7,
                organization="org-b",
                due_on=due,
                previous="org-a",
                note_sha256=H[2],
            ),
            Event(
                type="desk.request.routed",
                actor="user:1",
                subject=sub,
                time=T,
                hashes={"note": f"sha256:{H[2]}"},
                data={
                    "request": 7,
                    "organization": "org-b",
                    "due_on": "2027-03-17",
                    "previous": "org-a",
                },
            ),
        ),
        (
            desk.DeskAnswered(
                actor="user:2",
                time=T,
                request_id=7,
                organization="org-a",
                kind="refuse",
                reason="not_held",
                note_sha256=H[3],
            ),
            Event(
                type="desk.request.answered",
                actor="user:2",
                subject=sub,
                time=T,
                hashes={"note": f"sha256:{H[3]}"},
                data={
                    "request": 7,
                    "organization": "org-a",
                    "kind": "refuse",
                    "reason": "not_held",
                },
            ),
        ),
        (
            desk.DeskExtended(
                actor="user:2",
                time=T,
                request_id=7,
                organization="org-a",
                due_on=due,
                reason_sha256=H[0],
            ),
            Event(
                type="desk.request.extended",
                actor="user:2",
                subject=sub,
                time=T,
                hashes={"reason": f"sha256:{H[0]}"},
                data={"request": 7, "organization": "org-a", "due_on": "2027-03-17"},
            ),
        ),
        (
            desk.DeskWithdrawn(actor="user:9", time=T, request_id=7, status="routed"),
            Event(
                type="desk.request.withdrawn",
                actor="user:9",
                subject=sub,
                time=T,
                data={"request": 7},
            ),
        ),
        (
            desk.DeskEscalated(
                actor="system", time=T, request_id=7, organization="org-a", due_on=due
            ),
            Event(
                type="desk.request.escalated",
                actor="system",
                subject=sub,
                time=T,
                data={"request": 7, "organization": "org-a", "due_on": "2027-03-17"},
            ),
        ),
        (
            desk.DeskDisputeOpened(
                actor="user:9", time=T, request_id=7, dispute_id=2, reasons_sha256=H[1]
            ),
            Event(
                type="desk.dispute.opened",
                actor="user:9",
                subject=sub,
                time=T,
                hashes={"reasons": f"sha256:{H[1]}"},
                data={"request": 7, "dispute": 2},
            ),
        ),
        (
            desk.DeskDisputeDecided(
                actor="user:1",
                time=T,
                request_id=7,
                dispute_id=2,
                outcome="upheld",
                note_sha256=None,
            ),
            Event(
                type="desk.dispute.decided",
                actor="user:1",
                subject=sub,
                time=T,
                data={"request": 7, "dispute": 2, "outcome": "upheld"},
            ),
        ),
        *_firm_pairs(),
    ]


def _firm_pairs() -> list[tuple[events.EventKind, Event]]:
    """The firm desk's kinds (new with their kinds: the entry each must write)."""
    p = "desk-project:7"
    return [
        (
            fe.FirmProfileSaved(
                actor="user:3",
                time=T,
                organization="gaon",
                skills=("cleaning",),
                sectors=(),
                certifications=("dqc",),
                profile_sha256=H[0],
            ),
            Event(
                type="desk.firm.profile.saved",
                actor="user:3",
                subject="org:gaon",
                time=T,
                hashes={"profile": f"sha256:{H[0]}"},
                data={"skills": ["cleaning"], "sectors": [], "certifications": ["dqc"]},
            ),
        ),
        (
            fe.ProjectPosted(
                actor="user:2",
                time=T,
                project_id=7,
                organization=None,
                desk_request_id=4,
                skills=("linkage",),
                sensitivity="personal",
                certifications=("pseudonym_linkage",),
                budget_min=1,
                budget_max=2,
                text_sha256=H[1],
            ),
            Event(
                type="desk.project.posted",
                actor="user:2",
                subject=p,
                time=T,
                hashes={"text": f"sha256:{H[1]}"},
                data={
                    "organization": None,
                    "desk_request": 4,
                    "skills": ["linkage"],
                    "sensitivity": "personal",
                    "certifications": ["pseudonym_linkage"],
                    "budget": [1, 2],
                },
            ),
        ),
        (
            fe.OfferSent(
                actor="user:3",
                time=T,
                project_id=7,
                offer_id=9,
                firm="gaon",
                price=5,
                days=3,
                note_sha256=H[0],
            ),
            Event(
                type="desk.project.offer.sent",
                actor="user:3",
                subject=p,
                time=T,
                hashes={"note": f"sha256:{H[0]}"},
                data={"offer": 9, "firm": "gaon", "price": 5, "days": 3},
            ),
        ),
        (
            fe.OfferWithdrawn(actor="user:3", time=T, project_id=7, offer_id=9, firm="gaon"),
            Event(
                type="desk.project.offer.withdrawn",
                actor="user:3",
                subject=p,
                time=T,
                data={"offer": 9, "firm": "gaon"},
            ),
        ),
        (
            fe.ProjectAwarded(
                actor="user:2",
                time=T,
                project_id=7,
                offer_id=9,
                firm="gaon",
                price=5,
                closed_offers=(10,),
            ),
            Event(
                type="desk.project.awarded",
                actor="user:2",
                subject=p,
                time=T,
                data={"offer": 9, "firm": "gaon", "price": 5, "closed": [10]},
            ),
        ),
        (
            fe.ProjectDelivered(
                actor="user:3",
                time=T,
                project_id=7,
                firm="gaon",
                dataset="air",
                version=2,
                content_sha256=H[0],
                note_sha256=None,
            ),
            Event(
                type="desk.project.delivered",
                actor="user:3",
                subject=p,
                time=T,
                hashes={"content": f"sha256:{H[0]}"},
                data={"firm": "gaon", "dataset": "air", "version": 2},
            ),
        ),
        (  # a note beside the content: both hashes
            fe.ProjectDelivered(
                actor="user:3",
                time=T,
                project_id=7,
                firm="gaon",
                dataset="air",
                version=2,
                content_sha256=H[0],
                note_sha256=H[2],
            ),
            Event(
                type="desk.project.delivered",
                actor="user:3",
                subject=p,
                time=T,
                hashes={"content": f"sha256:{H[0]}", "note": f"sha256:{H[2]}"},
                data={"firm": "gaon", "dataset": "air", "version": 2},
            ),
        ),
        (
            fe.ProjectCompleted(
                actor="user:2", time=T, project_id=7, firm="gaon", rating=4, note_sha256=None
            ),
            Event(
                type="desk.project.completed",
                actor="user:2",
                subject=p,
                time=T,
                data={"firm": "gaon", "rating": 4},
            ),
        ),
        (
            fe.ProjectCancelled(
                actor="user:2", time=T, project_id=7, previous="open", reason_sha256=H[1]
            ),
            Event(
                type="desk.project.cancelled",
                actor="user:2",
                subject=p,
                time=T,
                hashes={"reason": f"sha256:{H[1]}"},
                data={"previous": "open"},
            ),
        ),
        # The market's listings (new kinds: the JSON they write, pinned).
        (
            listing_events.ListingPublished(
                actor="user:2",
                time=T,
                dataset="air",
                listing_id=4,
                licence_sha256=H[0],
                price={"kind": "one-off", "per_version_krw": 50000},
                version=None,
                sample_sha256=H[1],
            ),
            Event(
                type="market.listing.published",
                actor="user:2",
                subject="dataset:air",
                time=T,
                hashes={"licence": f"sha256:{H[0]}"},
                data={
                    "listing": 4,
                    "price": {"kind": "one-off", "per_version_krw": 50000},
                    "sample": f"sha256:{H[1]}",
                },
            ),
        ),
        (
            delivery_events.FingerprintSchemeSet(
                actor="user:2", time=T, dataset="air", scheme_sha256=H[0], key_fingerprint="f" * 32
            ),
            Event(
                type="market.fingerprint.scheme_set",
                actor="user:2",
                subject="dataset:air",
                time=T,
                hashes={"scheme": f"sha256:{H[0]}"},
                data={"key": "f" * 32},
            ),
        ),
        (
            delivery_events.CopyDelivered(
                actor="user:7",
                time=T,
                dataset="air",
                version=2,
                recipient="user:7",
                format="csv",
                key_fingerprint="f" * 32,
                scheme_sha256=H[0],
                copy_sha256=H[1],
            ),
            Event(
                type="market.copy.delivered",
                actor="user:7",
                subject="dataset:air",
                time=T,
                hashes={"copy": f"sha256:{H[1]}", "scheme": f"sha256:{H[0]}"},
                data={"version": 2, "recipient": "user:7", "format": "csv", "key": "f" * 32},
            ),
        ),
        (
            listing_events.ListingUnpublished(
                actor="user:2", time=T, dataset="air", listing_id=4, licence_sha256=H[0]
            ),
            Event(
                type="market.listing.unpublished",
                actor="user:2",
                subject="dataset:air",
                time=T,
                hashes={"licence": f"sha256:{H[0]}"},
                data={"listing": 4, "archived": False},
            ),
        ),
        (
            listing_events.ListingLicenceChanged(
                actor="user:2",
                time=T,
                dataset="air",
                listing_id=4,
                licence_sha256=H[0],
                previous_sha256=H[1],
            ),
            Event(
                type="market.listing.licence.changed",
                actor="user:2",
                subject="dataset:air",
                time=T,
                hashes={"licence": f"sha256:{H[0]}", "previous": f"sha256:{H[1]}"},
                data={"listing": 4},
            ),
        ),
        (
            AuditRecorded(
                actor="user:4",
                time=T,
                audit_id=7,
                kind="model",
                target="dataset:air@2",
                data_sha256=H[0],
                predictions_sha256=H[1],
                parameters_sha256=H[0],
                result_sha256=H[1],
                passed=False,
            ),
            Event(
                type="audit.recorded",
                actor="user:4",
                subject="audit:7",
                time=T,
                hashes={
                    "data": f"sha256:{H[0]}",
                    "parameters": f"sha256:{H[0]}",
                    "result": f"sha256:{H[1]}",
                    "predictions": f"sha256:{H[1]}",
                },
                data={"kind": "model", "target": "dataset:air@2", "passed": False},
            ),
        ),
        (
            SynthReleased(
                actor="user:4",
                time=T,
                dataset="twin",
                version=1,
                release_id=3,
                source_dataset="hospital",
                source_version=2,
                access_level="open",
                rows=100,
                method="mst",
                epsilon=1.0,
                delta=1e-6,
                source_sha256=H[0],
                options_sha256=H[1],
                report_sha256=H[2],
                output_sha256=H[3],
            ),
            Event(
                type="synth.release",
                actor="user:4",
                subject="dataset:twin@1",
                time=T,
                hashes={
                    "source": f"sha256:{H[0]}",
                    "options": f"sha256:{H[1]}",
                    "report": f"sha256:{H[2]}",
                    "output": f"sha256:{H[3]}",
                },
                data={
                    "release": 3,
                    "source": "dataset:hospital@2",
                    "access_level": "open",
                    "rows": 100,
                    "method": "mst",
                    "epsilon": 1.0,
                    "delta": 1e-6,
                },
            ),
        ),
        *_ai_pairs(),
        *_mydata_pairs(),
        *_order_pairs(),
    ]


def _ai_pairs() -> list[tuple[events.EventKind, Event]]:
    """The AI decision registry's kinds (datanuri/decisions/events.py)."""
    d = "ai-decision:7"
    return [
        (
            ai.SystemRegistered(
                actor="user:1",
                time=T,
                system="loan",
                organization="bank",
                risk_level="high",
                card_sha256=H[0],
                training_entries=(3,),
            ),
            Event(
                type="ai.system.registered",
                actor="user:1",
                subject="ai-system:loan",
                time=T,
                hashes={"card": f"sha256:{H[0]}"},
                data={"organization": "bank", "risk_level": "high", "training_entries": [3]},
            ),
        ),
        (
            ai.DecisionRecorded(
                actor="user:1",
                time=T,
                system="loan",
                decision_id=7,
                model_version="v1",
                input_sha256=H[0],
                record_sha256=H[1],
            ),
            Event(
                type="ai.decision.recorded",
                actor="user:1",
                subject=d,
                time=T,
                hashes={"input": f"sha256:{H[0]}", "record": f"sha256:{H[1]}"},
                data={"system": "loan", "model_version": "v1"},
            ),
        ),
        (
            ai.DecisionCorrected(
                actor="user:2",
                time=T,
                decision_id=7,
                corrected_id=8,
                contest_id=1,
                record_sha256=H[1],
            ),
            Event(
                type="ai.decision.corrected",
                actor="user:2",
                subject=d,
                time=T,
                hashes={"record": f"sha256:{H[1]}"},
                data={"corrected_by": 8, "contest": 1},
            ),
        ),
        (
            ai.ContestFiled(
                actor="subject:ai-decision:7",
                time=T,
                decision_id=7,
                contest_id=1,
                explanation_sha256=H[0],
                evidence_sha256=(H[1],),
                deadline="2026-10-10T15:00:00+00:00",
            ),
            Event(
                type="ai.contest.filed",
                actor="subject:ai-decision:7",
                subject=d,
                time=T,
                hashes={"explanation": f"sha256:{H[0]}", "evidence0": f"sha256:{H[1]}"},
                data={"contest": 1, "deadline": "2026-10-10T15:00:00+00:00"},
            ),
        ),
        (
            ai.ContestAssigned(
                actor="system", time=T, decision_id=7, contest_id=1, reviewer="user:3"
            ),
            Event(
                type="ai.contest.assigned",
                actor="system",
                subject=d,
                time=T,
                data={"contest": 1, "reviewer": "user:3"},
            ),
        ),
        (
            ai.ContestEscalated(
                actor="system", time=T, decision_id=7, contest_id=1, deadline="2026-10-10"
            ),
            Event(
                type="ai.contest.escalated",
                actor="system",
                subject=d,
                time=T,
                data={"contest": 1, "deadline": "2026-10-10"},
            ),
        ),
        (
            ai.ContestDecided(
                actor="user:3",
                time=T,
                decision_id=7,
                contest_id=1,
                outcome="overturned",
                reasons_sha256=H[0],
            ),
            Event(
                type="ai.contest.decided",
                actor="user:3",
                subject=d,
                time=T,
                hashes={"reasons": f"sha256:{H[0]}"},
                data={"contest": 1, "outcome": "overturned"},
            ),
        ),
        (
            ModelRegistered(
                actor="user:2",
                time=T,
                system="welfare",
                model_version="v1",
                kind="logistic",
                features=("age", "arrears"),
                parameters_sha256=H[0],
                training_entries=(4, 9),
            ),
            Event(
                type="ai.model.registered",
                actor="user:2",
                subject="ai-model:welfare@v1",
                time=T,
                hashes={"parameters": f"sha256:{H[0]}"},
                data={
                    "kind": "logistic",
                    "features": ["age", "arrears"],
                    "training_entries": [4, 9],
                },
            ),
        ),
        (
            DriftChecked(
                actor="system",
                time=T,
                system="welfare",
                model_version="v1",
                run_id=3,
                reference_sha256=H[0],
                current_sha256=H[1],
                result_sha256=H[2],
                drifted=("arrears",),
            ),
            Event(
                type="ai.drift.checked",
                actor="system",
                subject="ai-model:welfare@v1",
                time=T,
                hashes={
                    "reference": f"sha256:{H[0]}",
                    "current": f"sha256:{H[1]}",
                    "result": f"sha256:{H[2]}",
                },
                data={"run": 3, "drifted": ["arrears"]},
            ),
        ),
    ] + _zone_pairs()


def _zone_pairs() -> list[tuple[events.EventKind, Event]]:
    """The linkage zone's kinds: subject, hashes and facts as the zone writes them."""
    from datanuri.linkage import zone_events as z

    kinds = (
        z.ProjectCreated,
        z.SaltIssued,
        z.KeysUploaded,
        z.MatchRun,
        z.QueryRun,
        z.ExportRequested,
        z.ExportReviewed,
        z.ExportReleased,
        z.ProjectClosed,
        z.ZoneDestroyed,
    )
    return [
        (
            kind(actor="user:2", time=T, project="p", digests={"file": H[0]}, facts={"rows": 3}),
            Event(
                type=kind.name,
                actor="user:2",
                subject="linkage-project:p",
                time=T,
                hashes={"file": f"sha256:{H[0]}"},
                data={"project": "p", "rows": 3},
            ),
        )
        for kind in kinds
    ]


def _order_pairs() -> list[tuple[events.EventKind, Event]]:
    """Market orders' kinds (datanuri/market/order_events.py)."""
    return [
        (
            order_events.OrderPlaced(
                actor="user:5",
                time=T,
                dataset="air",
                order_id=8,
                listing_id=2,
                user_id=5,
                licence_sha256=H[0],
                entry_sha256=H[1],
                amount=11000,
                price_kind="one-off",
            ),
            Event(
                type="market.order.placed",
                actor="user:5",
                subject="dataset:air",
                time=T,
                hashes={"licence": f"sha256:{H[0]}", "entry": f"sha256:{H[1]}"},
                data={
                    "order": 8,
                    "listing": 2,
                    "user": "user:5",
                    "amount": 11000,
                    "price": "one-off",
                },
            ),
        ),
        (
            order_events.OrderPlaced(
                actor="user:5",
                time=T,
                dataset="air",
                order_id=9,
                listing_id=3,
                user_id=5,
                licence_sha256=H[0],
                entry_sha256=None,
                amount=0,
                price_kind="free-research",
            ),
            Event(
                type="market.order.placed",
                actor="user:5",
                subject="dataset:air",
                time=T,
                hashes={"licence": f"sha256:{H[0]}"},
                data={
                    "order": 9,
                    "listing": 3,
                    "user": "user:5",
                    "amount": 0,
                    "price": "free-research",
                },
            ),
        ),
        (
            order_events.SubscriptionLapsed(
                actor="system",
                time=T,
                dataset="air",
                subscription_id=4,
                user_id=5,
                reason="credit",
            ),
            Event(
                type="market.subscription.lapsed",
                actor="system",
                subject="dataset:air",
                time=T,
                data={"subscription": 4, "user": "user:5", "reason": "credit"},
            ),
        ),
    ]


def _mydata_pairs() -> list[tuple[events.EventKind, Event]]:
    """MyData's kinds (datanuri/mydata/events.py): people only as user:<id>, the CI, purpose and
    sent rows only as SHA-256."""
    c = "mydata-consent:cns_1"
    return [
        (
            md.PersonLinked(actor="user:1", time=T, user_id=4, ci_sha256=H[0]),
            Event(
                type="mydata.person.linked",
                actor="user:1",
                subject="user:4",
                time=T,
                hashes={"ci": f"sha256:{H[0]}"},
            ),
        ),
        (
            md.OfferDeclared(
                actor="user:2",
                time=T,
                organization="hospital",
                dataset="visits",
                subject_column="rrn",
                items=("visits.basic", "visits.cost"),
            ),
            Event(
                type="mydata.offer.declared",
                actor="user:2",
                subject="dataset:visits",
                time=T,
                data={
                    "organization": "hospital",
                    "subject_column": "rrn",
                    "items": ["visits.basic", "visits.cost"],
                },
            ),
        ),
        (
            md.ConsentGranted(
                actor="user:4",
                time=T,
                consent_id="cns_1",
                user_id=4,
                holder="hospital",
                dataset="visits",
                recipient="client:app",
                items=("visits.basic",),
                period_days=90,
                frequency="periodic",
                expires="2026-07-30T00:30:15Z",
                purpose_sha256=H[0],
                record_sha256=H[1],
            ),
            Event(
                type="mydata.consent.granted",
                actor="user:4",
                subject=c,
                time=T,
                hashes={"purpose": f"sha256:{H[0]}", "record": f"sha256:{H[1]}"},
                data={
                    "person": "user:4",
                    "holder": "hospital",
                    "dataset": "visits",
                    "recipient": "client:app",
                    "items": ["visits.basic"],
                    "period_days": 90,
                    "frequency": "periodic",
                    "expires": "2026-07-30T00:30:15Z",
                },
            ),
        ),
        (
            md.ConsentRevoked(actor="user:4", time=T, consent_id="cns_1", by="user:4"),
            Event(
                type="mydata.consent.revoked",
                actor="user:4",
                subject=c,
                time=T,
                data={"by": "user:4"},
            ),
        ),
        (
            md.ConsentExpired(actor="system", time=T, consent_id="cns_1", reason="period"),
            Event(
                type="mydata.consent.expired",
                actor="system",
                subject=c,
                time=T,
                data={"reason": "period"},
            ),
        ),
        (
            md.Transferred(
                actor="client:app",
                time=T,
                consent_id="cns_1",
                recipient="client:app",
                dataset="visits",
                version=2,
                items=("visits.basic",),
                page=0,
                rows=3,
                rows_sha256=H[2],
            ),
            Event(
                type="mydata.transfer",
                actor="client:app",
                subject=c,
                time=T,
                hashes={"rows": f"sha256:{H[2]}"},
                data={
                    "recipient": "client:app",
                    "dataset": "visits",
                    "version": 2,
                    "items": ["visits.basic"],
                    "page": 0,
                    "rows": 3,
                },
            ),
        ),
        (
            md.DeletionAcknowledged(
                actor="client:app", time=T, consent_id="cns_1", recipient="client:app"
            ),
            Event(
                type="mydata.deletion.acknowledged",
                actor="client:app",
                subject=c,
                time=T,
                data={"recipient": "client:app"},
            ),
        ),
        (
            md.OwnRowsRead(
                actor="user:4",
                time=T,
                user_id=4,
                dataset="visits",
                version=2,
                rows=5,
                rows_sha256=H[3],
            ),
            Event(
                type="mydata.access",
                actor="user:4",
                subject="dataset:visits@2",
                time=T,
                hashes={"rows": f"sha256:{H[3]}"},
                data={"person": "user:4", "rows": 5},
            ),
        ),
    ]


@pytest.mark.parametrize("kind, old", _pairs(), ids=lambda v: getattr(v, "name", ""))
def test_each_kind_serialises_exactly_like_the_old_generic_event(kind, old):
    assert kind.to_json_obj() == old.to_json_obj()
    assert canonical_leaf(kind) == canonical_leaf(old)  # the same leaf, so the same digest
    assert kind.to_event() == old


def test_every_registered_kind_is_compared_with_its_old_form():
    assert {k.name for k, _ in _pairs()} == set(events.registry())


def test_registry_lists_the_kinds_by_name():
    reg = events.registry()
    assert list(reg) == sorted(reg)
    assert reg["dataset.version.published"] is events.VersionPublished
    assert all(issubclass(k, events.EventKind) and k.name == n for n, k in reg.items())


def test_a_name_is_registered_once():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Again(events.EventKind):
        name = "token.revoked"

    with pytest.raises(ValueError, match="registered twice"):
        events.register(Again)
    assert events.registry()["token.revoked"] is events.TokenRevoked


def test_describe_lists_each_kind_with_its_typed_fields():
    info = {k.name: k for k in events.describe_all()}
    assert set(info) == set(events.registry())
    published = info["dataset.version.published"]
    assert "published" in published.description
    assert [(f.name, f.type) for f in published.fields] == [
        ("actor", "str"),
        ("time", "datetime"),
        ("dataset", "str"),
        ("version", "int"),
        ("parquet_sha256", "str"),
        ("source_sha256", "str"),
        ("rows", "int"),
        ("access_level", "str"),
    ]
    assert published.to_dict()["fields"][3] == {"name": "version", "type": "int"}


def test_kinds_are_frozen():
    e = events.TokenRevoked(actor="user:1", time=T, token_id=4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.token_id = 5  # type: ignore[misc]
