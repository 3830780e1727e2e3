"""Integrity ledger API (mounted under /api/v1) and the log's public key at /.well-known/."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

router = APIRouter(tags=["ledger"])
wellknown_router = APIRouter(tags=["ledger"])


def _ledger(request: Request) -> Any:
    return request.app.state.platform.ledger


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in items]


def _checkpoint_body(ledger: Any, cp: Any) -> dict[str, Any]:
    body = cp.to_dict()
    body["public_key"] = ledger.public_key()
    body["required_cosignatures"] = ledger.required_cosignatures
    return body


class CosignatureIn(BaseModel):
    checkpoint: str = Field(
        description="The log's checkpoint note with the witness's cosignature line(s) appended"
    )


@router.get("/ledger/checkpoint")
def get_checkpoint(request: Request) -> dict[str, Any]:
    """The signed checkpoint for the current tree size (C2SP tlog-checkpoint, signed note), with
    any witness cosignatures, and the log's verifier key."""
    ledger = _ledger(request)
    return _checkpoint_body(ledger, ledger.checkpoint())


@router.get("/ledger/entries")
def get_entries(
    request: Request, start: int = Query(0, ge=0), end: int | None = Query(None, ge=0)
) -> dict[str, Any]:
    """Entries `[start, end)` (at most 1000), each with its leaf hash."""
    ledger = _ledger(request)
    return {"start": start, "size": ledger.size(), "entries": ledger.entries(start, end)}


@router.get("/ledger/entries/{index}/receipt")
def get_receipt(request: Request, index: int) -> dict[str, Any]:
    """A receipt for entry `index`: the entry, its inclusion proof and a signed checkpoint."""
    return _ledger(request).receipt(index)


@router.get("/ledger/proof/inclusion")
def get_inclusion(
    request: Request, index: int = Query(..., ge=0), size: int | None = Query(None, ge=1)
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size` entries (default: current)."""
    ledger = _ledger(request)
    size = ledger.size() if size is None else size
    entry = ledger.entry(index)
    return {
        "index": index,
        "size": size,
        "leaf_hash": entry["leaf_hash"],
        "proof": _b64(ledger.inclusion_proof(index, size)),
    }


@router.get("/ledger/proof/consistency")
def get_consistency(
    request: Request, first: int = Query(..., ge=1), second: int | None = Query(None, ge=1)
) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of `first` and `second` entries."""
    ledger = _ledger(request)
    second = ledger.size() if second is None else second
    return {
        "first": first,
        "second": second,
        "proof": _b64(ledger.consistency_proof(first, second)),
    }


@router.post("/ledger/cosignatures")
def post_cosignature(request: Request, body: CosignatureIn) -> dict[str, Any]:
    """A witness returns the checkpoint with its cosignature/v1 line; the log keeps cosignatures
    from the witnesses it trusts and serves them with the checkpoint."""
    ledger = _ledger(request)
    return _checkpoint_body(ledger, ledger.add_cosignature(body.checkpoint))


@wellknown_router.get("/.well-known/datanuri-ledger.pub", response_class=PlainTextResponse)
def public_key(request: Request) -> PlainTextResponse:
    """The log's verifier key (C2SP signed-note vkey): pin it to verify receipts offline."""
    return PlainTextResponse(_ledger(request).public_key() + "\n")
