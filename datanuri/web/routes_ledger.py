"""Integrity ledger API (mounted under /api/v1) and the log's public key at /.well-known/."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from datanuri import events
from datanuri.ledger import Ledger, SignedCheckpoint
from datanuri.web import schemas
from datanuri.web.auth import PUBLIC
from datanuri.web.deps import MAX_INT, EntryIndex, PlatformDep

# The ledger is public: its routes act for nobody (a witness's cosignature is checked against
# the trusted witness keys, not against a caller).
router = APIRouter(tags=["ledger"], dependencies=[PUBLIC])
wellknown_router = APIRouter(tags=["ledger"], dependencies=[PUBLIC])


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in items]


def _checkpoint_body(ledger: Ledger, cp: SignedCheckpoint) -> dict[str, Any]:
    body = cp.to_dict()
    body["public_key"] = ledger.public_key()
    body["required_cosignatures"] = ledger.required_cosignatures
    return body


class CosignatureIn(BaseModel):
    checkpoint: str = Field(
        description="The log's checkpoint note with the witness's cosignature line(s) appended"
    )


@router.get("/ledger/checkpoint", response_model=schemas.CheckpointOut)
def get_checkpoint(p: PlatformDep) -> dict[str, Any]:
    """The signed checkpoint for the current tree size (C2SP tlog-checkpoint, signed note), with
    any witness cosignatures, and the log's verifier key."""
    ledger = p.ledger
    return _checkpoint_body(ledger, ledger.checkpoint())


@router.get("/ledger/event-types", response_model=list[schemas.EventKindOut])
def get_event_types() -> list[dict[str, Any]]:
    """Every kind of event the ledger records (its `type`), what it records and its typed fields."""
    return [k.to_dict() for k in events.describe_all()]


@router.get("/ledger/entries", response_model=schemas.EntriesOut)
def get_entries(
    p: PlatformDep,
    start: int = Query(0, ge=0, le=MAX_INT),
    end: int | None = Query(None, ge=0, le=MAX_INT),
) -> dict[str, Any]:
    """Entries `[start, end)` (at most 1000), each with its leaf hash. An entry about a dataset
    hidden from the public names it by a keyed commitment (`~…`); one written before the dataset
    was hidden is shown that way too, marked `"redacted": true` (its leaf hash still proves it)."""
    ledger = p.ledger
    return {"start": start, "size": ledger.size(), "entries": ledger.public_entries(start, end)}


@router.get("/ledger/entries/{index}/receipt", response_model=schemas.ReceiptOut)
def get_receipt(p: PlatformDep, index: EntryIndex) -> dict[str, Any]:
    """A receipt for entry `index`: the entry, its inclusion proof and a signed checkpoint
    (redacted like the entries for a dataset hidden from the public)."""
    return p.ledger.public_receipt(index)


@router.get("/ledger/proof/inclusion", response_model=schemas.InclusionProofOut)
def get_inclusion(
    p: PlatformDep,
    index: int = Query(..., ge=0, le=MAX_INT),
    size: int | None = Query(None, ge=1, le=MAX_INT),
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries (default: current)."""
    ledger = p.ledger
    size = ledger.size() if size is None else size
    entry = ledger.entry(index)
    return {
        "index": index,
        "size": size,
        "leaf_hash": entry["leaf_hash"],
        "proof": _b64(ledger.inclusion_proof(index, size)),
    }


@router.get("/ledger/proof/consistency", response_model=schemas.ConsistencyProofOut)
def get_consistency(
    p: PlatformDep,
    first: int = Query(..., ge=1, le=MAX_INT),
    second: int | None = Query(None, ge=1, le=MAX_INT),
) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of `first` and `second` entries."""
    ledger = p.ledger
    second = ledger.size() if second is None else second
    return {
        "first": first,
        "second": second,
        "proof": _b64(ledger.consistency_proof(first, second)),
    }


@router.post("/ledger/cosignatures", response_model=schemas.CheckpointOut)
def post_cosignature(p: PlatformDep, body: CosignatureIn) -> dict[str, Any]:
    """A witness returns the checkpoint with its cosignature/v1 line; the log keeps cosignatures
    from the witnesses it trusts and serves them with the checkpoint."""
    ledger = p.ledger
    return _checkpoint_body(ledger, ledger.add_cosignature(body.checkpoint))


@wellknown_router.get("/.well-known/datanuri-ledger.pub", response_class=PlainTextResponse)
def public_key(p: PlatformDep) -> PlainTextResponse:
    """The log's verifier key (C2SP signed-note vkey): pin it to verify receipts offline."""
    return PlainTextResponse(p.ledger.public_key() + "\n")
