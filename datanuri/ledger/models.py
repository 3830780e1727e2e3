"""Ledger tables.

- `ledger_state`: one row (id 1) holding the tree size and its right edge (the "frontier": the
  hashes of the complete subtrees making up the tree, largest first). Appenders lock this row,
  so two transactions never get the same leaf index.
- `ledger_leaves`: every entry: its index, canonical JSON (RFC 8785), leaf hash, and `nodes`:
  the hashes of the complete interior subtrees this leaf completes (levels 1, 2, ... upward;
  empty for an even index). Every complete subtree of the tree is stored exactly once, in the
  row of its last leaf (`node_location`), so appending writes one row per entry and a proof at
  any size is one primary-key `IN` lookup of O(log n) leaf rows.
- `ledger_checkpoints` / `ledger_cosignatures`: signed tree heads and witness cosignatures.
- `ledger_witnesses`: witness keys this log accepts cosignatures from.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow

# INTEGER PRIMARY KEY is SQLite's fast rowid table; BIGINT everywhere else.
Key = BigInteger().with_variant(Integer(), "sqlite")


def node_location(level: int, index: int) -> tuple[int, int]:
    """Where the hash of complete subtree `(level, index)` is stored: the leaf row index (its last
    leaf) and the byte offset in that row's `nodes` (level 0 is the row's own `leaf_hash`; its offset is negative)."""
    return ((index + 1) << level) - 1, (level - 1) * 32


class LedgerState(Base):
    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerLeaf(Base):
    __tablename__ = "ledger_leaves"

    idx: Mapped[int] = mapped_column(Key, primary_key=True, autoincrement=False)
    data: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    nodes: Mapped[bytes] = mapped_column(LargeBinary)  # hashes of the subtrees this leaf completes
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerCheckpoint(Base):
    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(Key, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)  # the signed note, with the log's signature only
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerCosignature(Base):
    __tablename__ = "ledger_cosignatures"
    __table_args__ = (UniqueConstraint("checkpoint_size", "witness"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_size: Mapped[int] = mapped_column(ForeignKey("ledger_checkpoints.size"), index=True)
    witness: Mapped[str] = mapped_column(String(200))
    line: Mapped[str] = mapped_column(Text)  # the note signature line
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LedgerWitness(Base):
    __tablename__ = "ledger_witnesses"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    vkey: Mapped[str] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
