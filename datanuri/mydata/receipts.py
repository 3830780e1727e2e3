"""Signed consent receipts: a consent record in canonical JSON signed with the platform's
Ed25519 ledger key, checkable offline (`datanuri verify RECEIPT`) with nothing but the file and,
to pin the signer, the platform's public key (`/.well-known/datanuri-ledger.pub`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datanuri import canonical, errors
from datanuri.ledger.note import Ed25519Signer, NoteError, ed25519_verifier
from datanuri.mydata import messages as M

FORMAT = "datanuri-mydata-consent-receipt/v1"


def signed_part(receipt: Mapping[str, Any]) -> bytes:
    """The bytes the signature covers: canonical JSON of the receipt without its signature."""
    return canonical.dumps({k: v for k, v in receipt.items() if k != "signature"})


def sign_receipt(
    record: Mapping[str, Any], ledger_index: int, signer: Ed25519Signer
) -> dict[str, Any]:
    """A receipt for `record` (whose grant is ledger entry `ledger_index`), signed by `signer`."""
    body: dict[str, Any] = {"format": FORMAT, "record": dict(record), "ledger_index": ledger_index}
    sig = signer.sign_raw(signed_part(body))
    body["signature"] = {"key": signer.vkey(), "ed25519": base64.b64encode(sig).decode()}
    return body


@dataclass(frozen=True)
class ReceiptCheck:
    """What a valid receipt says: which consent, signed by which key."""

    consent_id: str
    status: str
    key: str
    ledger_index: int


def is_receipt(obj: Any) -> bool:
    """Whether a parsed JSON document claims to be a consent receipt."""
    return isinstance(obj, dict) and obj.get("format") == FORMAT


def verify_receipt(receipt: Any, *, vkey: str | None = None) -> ReceiptCheck:
    """Check a receipt's signature (against `vkey` if given, else the key it names); raises
    IntegrityError if it was altered or signed by another key."""
    if not is_receipt(receipt):
        raise errors.InvalidInput(M.MSG_RECEIPT_FORMAT.format(why="no receipt format"))
    sig = receipt.get("signature")
    record = receipt.get("record")
    if not isinstance(sig, dict) or not isinstance(record, dict):
        raise errors.InvalidInput(M.MSG_RECEIPT_FORMAT.format(why="no signature or record"))
    key = str(sig.get("key", ""))
    if vkey is not None and vkey.strip() != key:
        raise errors.IntegrityError(M.MSG_RECEIPT_OTHER_KEY.format(got=key, expected=vkey.strip()))
    try:
        verifier = ed25519_verifier(key)
        raw = base64.b64decode(str(sig.get("ed25519", "")), validate=True)
    except (NoteError, ValueError, binascii.Error):
        raise errors.IntegrityError(M.MSG_RECEIPT_BAD_SIGNATURE) from None
    if not verifier.verify(signed_part(receipt), raw):
        raise errors.IntegrityError(M.MSG_RECEIPT_BAD_SIGNATURE)
    return ReceiptCheck(
        consent_id=str(record.get("id")),
        status=str(record.get("status")),
        key=key,
        ledger_index=int(receipt.get("ledger_index", -1)),
    )
