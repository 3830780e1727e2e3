"""The integrity ledger: an RFC 9162 Merkle-tree transparency log with signed C2SP checkpoints,
witness cosignatures, receipts and offline verification.

    ledger = Ledger(db, key_dir=config.data_dir / "keys", origin="datanuri.local/ledger")
    ledger.ensure_key()
    index = ledger.record(session, event)   # in the caller's transaction
    ledger.checkpoint()                      # sign (or reuse) the checkpoint for the current size
    ledger.receipt(index)                    # offline-verifiable proof of the entry
"""

from datanuri.ledger.checkpoint import Checkpoint, SignedCheckpoint
from datanuri.ledger.service import Ledger, canonical_leaf

__all__ = ["Checkpoint", "Ledger", "SignedCheckpoint", "canonical_leaf"]
