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


def grant_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as it was granted (version 1, active): what the grant's ledger entry hashes."""
    return {**record, "version": 1, "status": "active", "revoked_at": None}


def sign_receipt(
    record: Mapping[str, Any],
    ledger_index: int,
    signer: Ed25519Signer,
    ledger_receipt: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A receipt for `record` (whose grant is ledger entry `ledger_index`, with that entry's
    inclusion receipt if given), signed by `signer`."""
    body: dict[str, Any] = {"format": FORMAT, "record": dict(record), "ledger_index": ledger_index}
    if ledger_receipt is not None:
        body["ledger_receipt"] = dict(ledger_receipt)
    sig = signer.sign_raw(signed_part(body))
    body["signature"] = {"key": signer.vkey(), "ed25519": base64.b64encode(sig).decode()}
    return body


@dataclass(frozen=True)
class ConsentReceiptCheck:
    """The outcome of checking a consent receipt: each check with its message, and the facts."""

    ok: bool
    checks: tuple[tuple[str, bool, str], ...]
    consent_id: str
    status: str
    key: str
    ledger_index: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "kind": "mydata-consent-receipt",
            "consent_id": self.consent_id,
            "status": self.status,
            "key": self.key,
            "ledger_index": self.ledger_index,
            "checks": [{"name": n, "ok": ok, "message": m} for n, ok, m in self.checks],
        }


def is_receipt(obj: Any) -> bool:
    """Whether a parsed JSON document claims to be a consent receipt."""
    return isinstance(obj, dict) and obj.get("format") == FORMAT


def check_receipt(receipt: Any, *, vkey: str | None = None) -> ConsentReceiptCheck:
    """Check a receipt's signature, against the pinned `vkey` if given (else the key it names)."""
    if not is_receipt(receipt):
        raise errors.InvalidInput(M.MSG_RECEIPT_FORMAT.format(why="no receipt format"))
    sig = receipt.get("signature")
    record = receipt.get("record")
    if not isinstance(sig, dict) or not isinstance(record, dict):
        raise errors.InvalidInput(M.MSG_RECEIPT_FORMAT.format(why="no signature or record"))
    key = str(sig.get("key", ""))
    checks: list[tuple[str, bool, str]] = []
    if vkey is not None:
        same = vkey.strip() == key
        checks.append(
            (
                "key",
                same,
                key if same else M.MSG_RECEIPT_OTHER_KEY.format(got=key, expected=vkey.strip()),
            )
        )
    try:
        verifier = ed25519_verifier(key)
        raw = base64.b64decode(str(sig.get("ed25519", "")), validate=True)
        good = verifier.verify(signed_part(receipt), raw)
    except (NoteError, ValueError, binascii.Error):
        good = False
    checks.append(("signature", good, "Ed25519" if good else M.MSG_RECEIPT_BAD_SIGNATURE))
    inner = receipt.get("ledger_receipt")
    if isinstance(inner, dict):
        checks += _ledger_checks(inner, record, vkey or key)
    index = receipt.get("ledger_index")
    return ConsentReceiptCheck(
        ok=all(ok for _, ok, _ in checks),
        checks=tuple(checks),
        consent_id=str(record.get("id")),
        status=str(record.get("status")),
        key=key,
        ledger_index=index if isinstance(index, int) else -1,
    )


def _ledger_checks(
    inner: Mapping[str, Any], record: Mapping[str, Any], vkey: str
) -> list[tuple[str, bool, str]]:
    """The grant's entry is in the log (its inclusion receipt verifies under the same key) and
    hashes exactly this record as granted."""
    from datanuri.ledger.receipts import check_receipt as check_ledger_receipt

    res = check_ledger_receipt(inner, public_key=vkey, subject=f"mydata-consent:{record.get('id')}")
    found: list[tuple[str, bool, str]] = [
        (f"ledger {c.check}", c.ok, c.message) for c in res.checks
    ]
    raw = inner.get("entry")
    entry: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    want = f"sha256:{canonical.sha256(grant_record(record))}"
    got = (entry.get("hashes") or {}).get("record")
    same = entry.get("type") == "mydata.consent.granted" and got == want
    found.append(("ledger record", same, want if same else M.MSG_RECEIPT_NOT_GRANTED))
    return found


def verify_receipt(receipt: Any, *, vkey: str | None = None) -> ConsentReceiptCheck:
    """`check_receipt` that raises IntegrityError (saying why) unless every check passes."""
    res = check_receipt(receipt, vkey=vkey)
    if not res.ok:
        raise errors.IntegrityError(next(m for _, ok, m in res.checks if not ok))
    return res
