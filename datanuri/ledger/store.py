"""Reading and appending the ledger tables inside a caller's SQLAlchemy session (Core, for speed)."""

from __future__ import annotations

from typing import Iterator, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from datanuri.ledger import merkle
from datanuri.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerLeaf, LedgerNode, LedgerState, node_key
from datanuri.store.db import utcnow

STATE = LedgerState.__table__
LEAVES = LedgerLeaf.__table__
NODES = LedgerNode.__table__
CHECKPOINTS = LedgerCheckpoint.__table__
COSIGNATURES = LedgerCosignature.__table__

_SELECT_STATE = sa.select(STATE.c.size, STATE.c.frontier).where(STATE.c.id == 1)
_TOUCH_STATE = sa.update(STATE).where(STATE.c.id == 1).values(size=STATE.c.size)
_LEAF_HASHES = sa.select(LEAVES.c.idx, LEAVES.c.leaf_hash).where(LEAVES.c.idx.in_(sa.bindparam("keys", expanding=True)))
_NODE_HASHES = sa.select(NODES.c.key, NODES.c.hash).where(NODES.c.key.in_(sa.bindparam("keys", expanding=True)))


def split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + merkle.HASH_SIZE] for i in range(0, len(blob), merkle.HASH_SIZE)]


def read_state(session: Session, *, lock: bool) -> tuple[int, list[bytes]]:
    """The tree size and frontier. With `lock`, holds the state row until the transaction ends:
    on SQLite a no-op UPDATE first takes the database write lock (so the read below is current);
    on PostgreSQL SELECT ... FOR UPDATE locks the row."""
    if lock:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(_TOUCH_STATE)
            row = session.execute(_SELECT_STATE).one_or_none()
        else:
            row = session.execute(_SELECT_STATE.with_for_update()).one_or_none()
    else:
        row = session.execute(_SELECT_STATE).one_or_none()
    if row is None:
        raise LookupError("ledger_state row missing")
    return int(row.size), split_frontier(row.frontier)


def append_leaves(session: Session, datas: Sequence[bytes]) -> list[int]:
    """Append leaf data in order; returns their indexes. Caller's transaction; state row locked."""
    size, frontier = read_state(session, lock=True)
    now = utcnow()
    conn = session.connection()
    dialect = conn.dialect
    stamp = _bind(LEAVES.c.created_at, dialect, now)
    leaf_rows = []
    node_rows = []
    leaf_hash, completed = merkle.leaf_hash, merkle.nodes_completed_by
    for offset, data in enumerate(datas):
        index = size + offset
        h = leaf_hash(data)
        leaf_rows.append((index, data.decode(), h, stamp))
        if index & 1:
            new_nodes, frontier = completed(index, h, frontier)
            node_rows.extend([(node_key(level, i), nh) for level, i, nh in new_nodes])
        else:
            frontier.append(h)
    # Plain DBAPI executemany: appends are the hot path, and these rows need no type processing
    # beyond the timestamp bound once above.
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    if leaf_rows:
        conn.exec_driver_sql(f"INSERT INTO ledger_leaves (idx, data, leaf_hash, created_at) VALUES ({mark}, {mark}, {mark}, {mark})", leaf_rows)
    if node_rows:
        conn.exec_driver_sql(f"INSERT INTO ledger_nodes (key, hash) VALUES ({mark}, {mark})", node_rows)
    session.execute(
        sa.update(STATE).where(STATE.c.id == 1).values(size=size + len(datas), frontier=b"".join(frontier), updated_at=now)
    )
    return list(range(size, size + len(datas)))


def _bind(column: sa.Column, dialect: sa.Dialect, value: object) -> object:
    proc = column.type.bind_processor(dialect)
    return proc(value) if proc else value


class SessionNodes:
    """A `merkle.NodeSource` over the stored tables: level 0 from leaves, higher levels from nodes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self, keys: Sequence[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
        out: dict[tuple[int, int], bytes] = {}
        leaves = [i for level, i in keys if level == 0]
        inner = {node_key(level, i): (level, i) for level, i in keys if level > 0}
        if leaves:
            for idx, h in self.session.execute(_LEAF_HASHES, {"keys": leaves}):
                out[(0, int(idx))] = h
        if inner:
            for k, h in self.session.execute(_NODE_HASHES, {"keys": list(inner)}):
                out[inner[int(k)]] = h
        return out


def leaf_rows(session: Session, start: int, end: int) -> list[sa.Row]:
    q = sa.select(LEAVES.c.idx, LEAVES.c.data, LEAVES.c.leaf_hash, LEAVES.c.created_at)
    return list(session.execute(q.where(LEAVES.c.idx >= start, LEAVES.c.idx < end).order_by(LEAVES.c.idx)))


def iter_leaves(session: Session, *, chunk: int = 10_000) -> Iterator[sa.Row]:
    """All leaves in index order, fetched in keyset-paginated chunks."""
    start = 0
    while True:
        q = sa.select(LEAVES.c.idx, LEAVES.c.data, LEAVES.c.leaf_hash).where(LEAVES.c.idx >= start)
        rows = list(session.execute(q.order_by(LEAVES.c.idx).limit(chunk)))
        if not rows:
            return
        yield from rows
        start = int(rows[-1].idx) + 1


def latest_checkpoint(session: Session) -> sa.Row | None:
    q = sa.select(CHECKPOINTS).order_by(CHECKPOINTS.c.size.desc()).limit(1)
    return session.execute(q).one_or_none()


def checkpoint_covering(session: Session, index: int) -> sa.Row | None:
    """The latest checkpoint (it covers `index` if its size is larger)."""
    row = latest_checkpoint(session)
    return row if row is not None and row.size > index else None


def checkpoint_row(session: Session, size: int) -> sa.Row | None:
    return session.execute(sa.select(CHECKPOINTS).where(CHECKPOINTS.c.size == size)).one_or_none()


def cosignature_lines(session: Session, size: int) -> list[sa.Row]:
    q = sa.select(COSIGNATURES.c.witness, COSIGNATURES.c.line).where(COSIGNATURES.c.checkpoint_size == size)
    return list(session.execute(q.order_by(COSIGNATURES.c.witness)))
