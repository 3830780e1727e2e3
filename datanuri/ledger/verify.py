"""Offline verification of receipts and checkpoint consistency. No database, no network: anyone
with a receipt, the file and the log's pinned public key can check them."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rfc8785

from datanuri.ledger import merkle, messages
from datanuri.ledger.checkpoint import Checkpoint, open_checkpoint
from datanuri.ledger.cosign import CosignatureVerifier, valid_cosigners
from datanuri.ledger.note import NoteError, ed25519_verifier

RECEIPT_FORMAT = "datanuri-receipt/v1"


@dataclass
class VerifyResult:
    ok: bool = True
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (check, passed, message)
    index: int | None = None
    subject: str | None = None
    size: int | None = None
    cosigners: list[str] = field(default_factory=list)

    def passed(self, name: str, message: str = "") -> None:
        self.checks.append((name, True, message))

    def failed(self, name: str, message: str) -> VerifyResult:
        self.ok = False
        self.checks.append((name, False, message))
        return self

    @property
    def problems(self) -> list[str]:
        return [m for _, good, m in self.checks if not good]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "index": self.index,
            "subject": self.subject,
            "tree_size": self.size,
            "cosigners": self.cosigners,
            "checks": [{"check": c, "ok": g, "message": m} for c, g, m in self.checks],
        }


def _b64(s: Any) -> bytes:
    if not isinstance(s, str):
        raise ValueError("not a base64 string")
    return base64.b64decode(s, validate=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_receipt(
    receipt: dict[str, Any],
    *,
    public_key: str,
    file: Path | None = None,
    witness_keys: Sequence[str] = (),
    min_cosignatures: int = 0,
) -> VerifyResult:
    """Check a receipt against a pinned log key (vkey text), and optionally the file it covers.

    Checks, in order: the checkpoint's signature and origin; the entry hashes to the leaf hash;
    the inclusion proof leads from the leaf to the checkpoint root; (with `file`) the file's
    SHA-256 equals the entry's Parquet hash; (with `min_cosignatures`) enough trusted witnesses
    cosigned the checkpoint.
    """
    res = VerifyResult()
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        return res.failed(
            "format", messages.RECEIPT_BAD.format(why=f"format is not {RECEIPT_FORMAT!r}")
        )
    try:
        log = ed25519_verifier(public_key)
    except NoteError as exc:
        return res.failed("public key", str(exc))
    try:
        cp: Checkpoint = open_checkpoint(str(receipt["checkpoint"]), log)
        res.passed(
            "checkpoint signature", messages.CHECK_SIGNED.format(name=log.name, size=cp.size)
        )
    except (NoteError, KeyError) as exc:
        return res.failed("checkpoint signature", str(exc))
    res.size = cp.size
    try:
        index = int(receipt["index"])
        entry = receipt["entry"]
        leaf = _b64(receipt["leaf_hash"])
        proof = [_b64(p) for p in receipt["inclusion_proof"]]
        res.index, res.subject = index, entry.get("subject")
    except (KeyError, ValueError, TypeError, AttributeError, binascii.Error) as exc:
        return res.failed(
            "format", messages.RECEIPT_BAD.format(why=f"missing or malformed field ({exc})")
        )
    try:
        data = rfc8785.dumps(entry)
    except Exception as exc:  # noqa: BLE001 - any failure to canonicalise means a bad receipt
        return res.failed(
            "entry", messages.RECEIPT_BAD.format(why=f"the entry is not canonical JSON ({exc})")
        )
    if merkle.leaf_hash(data) != leaf:
        res.failed("entry", messages.LEAF_MISMATCH)
    else:
        res.passed("entry", messages.CHECK_LEAF)
    try:
        merkle.verify_inclusion(index, cp.size, merkle.leaf_hash(data), proof, cp.root)
        res.passed("inclusion", messages.CHECK_INCLUDED.format(index=index, size=cp.size))
    except merkle.ProofError as exc:
        res.failed("inclusion", messages.INCLUSION_FAILED.format(why=exc))
    if file is not None:
        want = str((entry.get("hashes") or {}).get("parquet", ""))
        if not want.startswith("sha256:"):
            res.failed("file", messages.FILE_NO_HASH)
        else:
            got = sha256_file(Path(file))
            if got != want.removeprefix("sha256:"):
                res.failed(
                    "file",
                    messages.FILE_MISMATCH.format(got=got, want=want.removeprefix("sha256:")),
                )
            else:
                res.passed("file", messages.CHECK_FILE.format(got=got))
    if witness_keys or min_cosignatures:
        try:
            ws = [CosignatureVerifier.from_vkey(k) for k in witness_keys]
            res.cosigners = valid_cosigners(str(receipt["checkpoint"]), ws)
        except NoteError as exc:
            return res.failed("cosignatures", str(exc))
        if len(res.cosigners) < min_cosignatures:
            res.failed(
                "cosignatures",
                messages.TOO_FEW_COSIGNATURES.format(
                    have=len(res.cosigners), need=min_cosignatures
                ),
            )
        else:
            res.passed(
                "cosignatures",
                messages.CHECK_COSIGNED.format(names=", ".join(res.cosigners))
                if res.cosigners
                else messages.CHECK_NOT_COSIGNED,
            )
    return res


def verify_consistency(
    old_checkpoint: str,
    new_checkpoint: str,
    proof: Sequence[str | bytes],
    public_key: str,
) -> VerifyResult:
    """Check that two checkpoints signed by the pinned key are consistent (the newer extends the older)."""
    res = VerifyResult()
    try:
        log = ed25519_verifier(public_key)
        old = open_checkpoint(old_checkpoint, log)
        new = open_checkpoint(new_checkpoint, log)
        res.passed("checkpoint signatures", messages.CHECK_BOTH_SIGNED.format(name=log.name))
    except NoteError as exc:
        return res.failed("checkpoint signatures", str(exc))
    if new.size < old.size:
        old, new = new, old
    res.size = new.size
    try:
        hashes = [p if isinstance(p, bytes) else _b64(p) for p in proof]
    except (ValueError, binascii.Error) as exc:
        return res.failed(
            "consistency",
            messages.CONSISTENCY_FAILED.format(why=f"the proof is not base64 ({exc})"),
        )
    if old.size == 0:
        res.passed("consistency", messages.CHECK_EMPTY_EXTENDS)
        return res
    try:
        merkle.verify_consistency(old.size, new.size, old.root, new.root, hashes)
        res.passed("consistency", messages.CHECK_EXTENDS.format(new=new.size, old=old.size))
    except merkle.ProofError as exc:
        res.failed("consistency", messages.CONSISTENCY_FAILED.format(why=exc))
    return res
