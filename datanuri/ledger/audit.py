"""`ledger audit`: recompute the whole tree from the stored entries and compare every stored
leaf hash, interior node, the state row, every signed checkpoint and every cosignature.

A row changed directly in the database is found and named. Memory stays bounded: leaves are
streamed in index order, each with the interior subtree hashes it completes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from datanuri.ledger import merkle, messages, store
from datanuri.ledger.checkpoint import open_checkpoint
from datanuri.ledger.cosign import CosignatureVerifier
from datanuri.ledger.models import LedgerWitness
from datanuri.ledger.note import NoteError, parse_note

if TYPE_CHECKING:
    from datanuri.ledger.service import Ledger


@dataclass(frozen=True)
class Problem:
    table: str  # ledger_leaves, ledger_state, ledger_checkpoints, ledger_cosignatures
    row: str  # which row, e.g. "idx=17", "idx=15 node level=2 index=3 (leaves 12..15)", "size=40"
    detail: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.detail}"


@dataclass
class AuditReport:
    leaves: int = 0
    nodes: int = 0
    checkpoints: int = 0
    cosignatures: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def message(self) -> str:
        if self.ok:
            return messages.AUDIT_OK.format(
                leaves=self.leaves, nodes=self.nodes, checkpoints=self.checkpoints
            )
        return messages.AUDIT_FAILED.format(count=len(self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "message": self.message,
            "leaves": self.leaves,
            "nodes": self.nodes,
            "checkpoints": self.checkpoints,
            "cosignatures": self.cosignatures,
            "problems": [
                {"table": p.table, "row": p.row, "detail": p.detail} for p in self.problems
            ],
        }


def _node_name(level: int, index: int) -> str:
    last = ((index + 1) << level) - 1
    return f"idx={last} node level={level} index={index} (leaves {index << level}..{last})"


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def audit(ledger: Ledger) -> AuditReport:
    report = AuditReport()
    add = report.problems.append
    log_verifier = ledger.keys.signer().verifier()
    with ledger.db.session() as s:
        state_size, state_frontier = store.read_state(s, lock=False)
        cps = {
            int(r.size): r
            for r in s.execute(sa.select(store.CHECKPOINTS).order_by(store.CHECKPOINTS.c.size))
        }
        roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT} if 0 in cps else {}

        frontier: list[bytes] = []
        n = 0
        for row in store.iter_leaves(s):
            idx = int(row.idx)
            if idx != n:
                add(Problem("ledger_leaves", f"idx={n}", f"missing (next stored entry is {idx})"))
                break
            h = merkle.leaf_hash(row.data.encode())
            if h != row.leaf_hash:
                add(
                    Problem(
                        "ledger_leaves",
                        f"idx={idx}",
                        "its data does not hash to its stored leaf hash (the entry or its hash was changed)",
                    )
                )
            # Build on the stored leaf hash: a changed entry is then named alone, and a changed
            # leaf hash (with or without its entry) also shows in the parent node above it.
            new_nodes, frontier = merkle.nodes_completed_by(idx, row.leaf_hash, frontier)
            stored = bytes(row.nodes)
            report.nodes += len(stored) // merkle.HASH_SIZE
            if stored != b"".join(nh for _, _, nh in new_nodes):
                for k, (level, i, nh) in enumerate(new_nodes):
                    got = stored[k * merkle.HASH_SIZE : (k + 1) * merkle.HASH_SIZE]
                    if len(got) < merkle.HASH_SIZE:
                        add(Problem("ledger_leaves", _node_name(level, i), "missing"))
                    elif got != nh:
                        add(
                            Problem(
                                "ledger_leaves",
                                _node_name(level, i),
                                f"stored hash {_b64(got)} differs from recomputed {_b64(nh)}",
                            )
                        )
                extra = stored[len(new_nodes) * merkle.HASH_SIZE :]
                if extra:
                    add(
                        Problem(
                            "ledger_leaves",
                            f"idx={idx} nodes",
                            f"{len(extra)} unexpected bytes after the {len(new_nodes)} subtree hashes"
                            " this entry completes",
                        )
                    )
            n += 1
            if n in cps:
                roots[n] = merkle.root_from_frontier(frontier)
        report.leaves = n

        if state_size != n:
            add(
                Problem(
                    "ledger_state",
                    "id=1",
                    f"size is {state_size} but {n} consecutive entries are stored",
                )
            )
        elif state_frontier != frontier:
            add(
                Problem(
                    "ledger_state",
                    "id=1",
                    "the stored right edge (frontier) differs from the recomputed one",
                )
            )

        report.checkpoints = len(cps)
        for size, row in cps.items():
            where = f"size={size}"
            try:
                cp = open_checkpoint(row.note, log_verifier, origin=ledger.origin)
            except NoteError as exc:
                add(Problem("ledger_checkpoints", where, f"signature or format invalid: {exc}"))
                continue
            if cp.size != size:
                add(Problem("ledger_checkpoints", where, f"the signed note says size {cp.size}"))
            if cp.root != row.root:
                add(
                    Problem(
                        "ledger_checkpoints", where, "the root column differs from the signed root"
                    )
                )
            if size not in roots:
                add(
                    Problem(
                        "ledger_checkpoints",
                        where,
                        f"signed for {size} entries but only {n} are stored",
                    )
                )
            elif roots[size] != cp.root:
                add(
                    Problem(
                        "ledger_checkpoints",
                        where,
                        f"signed root {_b64(cp.root)} differs from the recomputed root {_b64(roots[size])}",
                    )
                )

        witnesses = {}
        for vkey in s.execute(sa.select(LedgerWitness.vkey)).scalars():
            try:
                witness_key = CosignatureVerifier.from_vkey(vkey)
                witnesses[witness_key.name] = witness_key
            except NoteError:
                add(Problem("ledger_witnesses", "", f"invalid witness key {vkey[:60]!r}"))
        for r in s.execute(sa.select(store.COSIGNATURES)):
            report.cosignatures += 1
            where = f"checkpoint_size={r.checkpoint_size} witness={r.witness}"
            cp_row = cps.get(int(r.checkpoint_size))
            w = witnesses.get(r.witness)
            if cp_row is None or w is None:
                add(Problem("ledger_cosignatures", where, "no such checkpoint or witness"))
                continue
            try:
                text, _ = parse_note(cp_row.note)
                _, sigs = parse_note(text + "\n" + r.line)
                good = (
                    sigs[0].name == w.name
                    and sigs[0].key_id == w.key_id
                    and w.verify(text.encode(), sigs[0].sig)
                )
            except NoteError:
                good = False
            if not good:
                add(Problem("ledger_cosignatures", where, "the cosignature does not verify"))
    return report
