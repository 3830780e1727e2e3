"""Checking a receipt for what it claims: the offline proof (`verify.verify_receipt`) plus, when
the caller knows them, the subject and Parquet hash the entry must name and the log's current
size. One implementation for `datanuri verify` and the dataset page (via `Ledger.check_receipt`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from datanuri.ledger import messages
from datanuri.ledger.verify import verify_receipt


class Check(NamedTuple):
    """One check: its name, whether it passed, and what was found."""

    check: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ReceiptCheck:
    """The outcome of checking a receipt: every check in order, and what the receipt covers."""

    ok: bool
    checks: tuple[Check, ...] = ()
    index: int | None = None
    subject: str | None = None
    tree_size: int | None = None
    cosigners: tuple[str, ...] = ()
    time: str | None = None
    current_size: int | None = None  # the log's current checkpoint size, when checked live
    missing: bool = False  # there was no ledger entry to check
    receipt: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def no_entry(cls) -> ReceiptCheck:
        """The outcome for something that has no ledger entry at all."""
        return cls(ok=False, missing=True)

    @property
    def problems(self) -> list[str]:
        return [c.message for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "index": self.index,
            "subject": self.subject,
            "tree_size": self.tree_size,
            "cosigners": list(self.cosigners),
            "checks": [c._asdict() for c in self.checks],
        }
        if self.current_size is not None:
            out["current_size"] = self.current_size
        return out


def _sha256_ref(digest: str) -> str:
    return digest if digest.startswith("sha256:") else f"sha256:{digest}"


def check_receipt(
    receipt: Mapping[str, Any],
    *,
    public_key: str,
    file: Path | None = None,
    witness_keys: Sequence[str] = (),
    min_cosignatures: int = 0,
    subject: str | None = None,
    parquet_hash: str | None = None,
    current_size: int | None = None,
) -> ReceiptCheck:
    """Verify `receipt` against the pinned `public_key` (and `file`, witnesses, as
    `verify_receipt`), then that its entry names `subject` and `parquet_hash` and that its tree is
    no larger than the log's `current_size`, for each of those given."""
    if not isinstance(receipt, Mapping):
        receipt = {}  # not a receipt at all: verify_receipt fails its format check
    res = verify_receipt(
        dict(receipt),
        public_key=public_key,
        file=file,
        witness_keys=witness_keys,
        min_cosignatures=min_cosignatures,
    )
    checks = [Check(c, good, m) for c, good, m in res.checks]
    entry = receipt.get("entry")
    entry = entry if isinstance(entry, Mapping) else {}
    if parquet_hash is not None:
        want = _sha256_ref(parquet_hash)
        got = str((entry.get("hashes") or {}).get("parquet", ""))
        checks.append(
            Check(
                "content",
                got == want,
                messages.CHECK_CONTENT
                if got == want
                else messages.CHECK_CONTENT_WRONG.format(got=got, want=want),
            )
        )
    if subject is not None:
        named = entry.get("subject")
        checks.append(
            Check(
                "subject",
                named == subject,
                str(named)
                if named == subject
                else messages.CHECK_SUBJECT_WRONG.format(named=named, subject=subject),
            )
        )
    tree_size = receipt.get("tree_size")
    if current_size is not None:
        size = tree_size if isinstance(tree_size, int) else -1
        checks.append(
            Check(
                "checkpoint",
                size <= current_size,
                messages.CHECK_CURRENT.format(size=tree_size, current=current_size),
            )
        )
    time = entry.get("time")
    return ReceiptCheck(
        ok=res.ok and all(c.ok for c in checks),
        checks=tuple(checks),
        index=res.index,
        subject=res.subject,
        tree_size=res.size,
        cosigners=tuple(res.cosigners),  # only those verified with the given witness keys
        time=time if isinstance(time, str) else None,
        current_size=current_size,
        receipt=receipt,
    )
