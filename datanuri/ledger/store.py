"""Reading and appending the ledger tables inside a caller's SQLAlchemy session (Core, for speed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection

from datanuri.ledger import merkle
from datanuri.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerLeaf,
    LedgerState,
    node_location,
)
from datanuri.store.db import utcnow

# A declarative class's `__table__` is typed as any FromClause; these are plain tables.
STATE = cast(sa.Table, LedgerState.__table__)
LEAVES = cast(sa.Table, LedgerLeaf.__table__)
CHECKPOINTS = cast(sa.Table, LedgerCheckpoint.__table__)
COSIGNATURES = cast(sa.Table, LedgerCosignature.__table__)

_SELECT_STATE = sa.select(STATE.c.size, STATE.c.frontier).where(STATE.c.id == 1)
_ROW_HASHES = sa.select(LEAVES.c.idx, LEAVES.c.leaf_hash, LEAVES.c.nodes).where(
    LEAVES.c.idx.in_(sa.bindparam("rows", expanding=True))
)
_LEAF_COLUMNS = "idx, data, leaf_hash, nodes, created_at"
_MULTI = 100  # rows per multi-row INSERT: fewer statement executions than one per row
HASH = merkle.HASH_SIZE


def split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + merkle.HASH_SIZE] for i in range(0, len(blob), merkle.HASH_SIZE)]


def read_state(session: Session, *, lock: bool) -> tuple[int, list[bytes]]:
    """The tree size and frontier. With `lock`, holds the state row until the transaction ends
    (see `_Statements.lock`)."""
    if lock:
        conn = session.connection()
        return _run(conn.dialect, _driver_connection(conn.connection), None)[0]
    row = session.execute(_SELECT_STATE).one_or_none()
    if row is None:
        raise LookupError("ledger_state row missing")
    return int(row.size), split_frontier(row.frontier)


def append_leaves(session: Session, datas: Sequence[bytes]) -> list[int]:
    """Append leaf data in order in the caller's transaction; returns their indexes.

    Each leaf row carries the interior subtree hashes it completes (see `models`), so this is one
    row per entry: multi-row INSERTs on SQLite, COPY on PostgreSQL. The statements go to the
    session's DBAPI connection directly (their SQL is fixed; SQLAlchemy's statement building
    was most of a single append's time).
    """
    conn = session.connection()
    return _run(conn.dialect, _driver_connection(conn.connection), datas)[1]


def append_committed(engine: sa.Engine, datas: Sequence[bytes], *, durable: bool) -> list[int]:
    """Append leaf data in a transaction of its own on a pooled connection, committed when this
    returns. `durable` on SQLite: this commit is synced to disk (`synchronous=FULL` for it; the
    engine's own setting, WAL with NORMAL, survives a crash of the process but may lose the last
    commits on a power failure). PostgreSQL syncs every commit unless the server says otherwise."""
    raw = engine.raw_connection()
    try:
        driver = _driver_connection(raw)
        sync = durable and engine.dialect.name == "sqlite"
        if sync:
            before = driver.execute("PRAGMA synchronous").fetchone()[0]
            driver.execute("PRAGMA synchronous=FULL")
        try:
            indexes = _run(engine.dialect, driver, datas, commit=True)[1]
        finally:
            if sync:
                driver.execute(f"PRAGMA synchronous={int(before)}")
    finally:
        raw.close()
    return indexes


class _Statements:
    """The fixed SQL of appending in one dialect, and how it binds a timestamp."""

    def __init__(self, dialect: sa.Dialect) -> None:
        m = "?" if dialect.paramstyle == "qmark" else "%s"
        self.error = dialect.loaded_dbapi.Error
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        # The state row, held until the transaction ends: on SQLite the no-op UPDATE takes the
        # database write lock first (so what it returns is current); on PostgreSQL the row lock.
        if dialect.name == "sqlite":
            self.lock = "UPDATE ledger_state SET size = size WHERE id = 1 RETURNING size, frontier"
        else:
            self.lock = "SELECT size, frontier FROM ledger_state WHERE id = 1 FOR UPDATE"
        self.update = (
            f"UPDATE ledger_state SET size = {m}, frontier = {m}, updated_at = {m} WHERE id = 1"
        )
        one = f"({', '.join([m] * 5)})"
        self.insert_one = f"INSERT INTO ledger_leaves ({_LEAF_COLUMNS}) VALUES {one}"
        self.insert_many = (
            f"INSERT INTO ledger_leaves ({_LEAF_COLUMNS}) VALUES {', '.join([one] * _MULTI)}"
        )
        self.copy_sql = f"COPY ledger_leaves ({_LEAF_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        # a timestamp as the dialect's own type processing binds it (on SQLite a DATETIME
        # string, exactly as an ORM insert stores it)
        column = LEAVES.c.created_at
        self.stamp = column.type.dialect_impl(dialect).bind_processor(dialect)


_STATEMENTS: dict[tuple[str, str, str], _Statements] = {}  # by dialect, driver, paramstyle


def _run(
    dialect: sa.Dialect, driver: Any, datas: Sequence[bytes] | None, *, commit: bool = False
) -> tuple[tuple[int, list[bytes]], list[int]]:
    """Lock the state row and, given `datas`, write their leaf rows and the new state (then
    commit, or roll back on failure, if `commit`). Returns the state as locked and the new
    leaves' indexes. Driver errors are raised as SQLAlchemy's DBAPIError, as a statement run
    through SQLAlchemy would raise them."""
    kind = (dialect.name, dialect.driver, dialect.paramstyle)
    q = _STATEMENTS.get(kind)
    if q is None:
        q = _STATEMENTS[kind] = _Statements(dialect)
    cur = driver.cursor()
    sql = q.lock
    try:
        cur.execute(sql)
        row = cur.fetchone()
        if row is None:
            raise LookupError("ledger_state row missing")
        state = int(row[0]), split_frontier(bytes(row[1]))
        if datas is None:
            return state, []
        now = utcnow()
        stamp = q.stamp(now) if q.stamp else now
        size = state[0]
        flat, frontier = _rows_for(size, list(state[1]), datas, stamp)
        count = len(datas)
        if q.copy:
            sql = q.copy_sql
            _copy(cur, sql, flat)
        else:
            width = 5 * _MULTI
            full = len(flat) - len(flat) % width
            if full:
                sql = q.insert_many
                cur.executemany(sql, [flat[i : i + width] for i in range(0, full, width)])
            if full < len(flat):
                sql = q.insert_one
                cur.executemany(sql, [flat[i : i + 5] for i in range(full, len(flat), 5)])
        sql = q.update
        cur.execute(sql, (size + count, b"".join(frontier), stamp))
        if commit:
            sql = "COMMIT"
            driver.commit()
        return state, list(range(size, size + count))
    except BaseException as exc:
        if commit:
            driver.rollback()
        if isinstance(exc, q.error):
            raise sa.exc.DBAPIError.instance(sql, None, exc, q.error) from exc
        raise
    finally:
        cur.close()


def _copy(cur: Any, sql: str, flat: list[object]) -> None:
    """Binary COPY of the rows in `flat` into ledger_leaves on psycopg 3, in the connection's
    transaction."""
    with cur.copy(sql) as copy:
        copy.set_types(["int8", "text", "bytea", "bytea", "timestamp"])
        write = copy.write_row
        for i in range(0, len(flat), 5):
            write(flat[i : i + 5])


def _rows_for(
    size: int, frontier: list[bytes], datas: Sequence[bytes], stamp: object
) -> tuple[list[object], list[bytes]]:
    """The `ledger_leaves` rows of `datas` appended to a tree of `size` leaves with right edge
    `frontier`, as one flat list of their columns (`_LEAF_COLUMNS`, five a row), and the new
    right edge (`frontier` itself, extended in place)."""
    flat: list[object] = []
    extend = flat.extend
    sha256 = hashlib.sha256
    push, pop = frontier.append, frontier.pop
    index = size
    for data in datas:
        h = sha256(b"\x00" + data).digest()
        if index & 1:
            # RFC 9162 node hashes: each trailing 1 bit of the index closes one more subtree.
            node, i, parts = h, index, []
            while i & 1:
                node = sha256(b"\x01" + pop() + node).digest()
                parts.append(node)
                i >>= 1
            push(node)
            extend((index, data.decode(), h, b"".join(parts), stamp))
        else:
            push(h)
            extend((index, data.decode(), h, b"", stamp))
        index += 1
    return flat, frontier


def _driver_connection(raw: PoolProxiedConnection) -> Any:
    """The DBAPI driver's own connection under SQLAlchemy's pool proxy."""
    driver = raw.driver_connection
    if driver is None:
        raise sa.exc.ResourceClosedError("the database connection is closed")
    return driver


def locate(keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """`(level, index)` -> (leaf row, byte offset in its `nodes`; negative for the leaf hash)."""
    return {k: node_location(*k) for k in keys}


def pick(
    where: Mapping[tuple[int, int], tuple[int, int]], rows: Mapping[int, tuple[bytes, bytes]]
) -> dict[tuple[int, int], bytes]:
    """The stored hashes at `where` in `rows` ({idx: (leaf_hash, nodes)}); absent ones left out."""
    out: dict[tuple[int, int], bytes] = {}
    for k, (idx, off) in where.items():
        row = rows.get(idx)
        if row is None:
            continue
        h = row[0] if off < 0 else row[1][off : off + merkle.HASH_SIZE]
        if len(h) == merkle.HASH_SIZE:
            out[k] = h
    return out


class SessionNodes:
    """A `merkle.NodeSource` over the stored leaf rows (leaf hashes and the subtree hashes they
    complete)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __call__(self, keys: Sequence[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
        where = locate(keys)
        if not where:
            return {}
        rows = {
            int(idx): (lh, nodes)
            for idx, lh, nodes in self.session.execute(
                _ROW_HASHES, {"rows": sorted({i for i, _ in where.values()})}
            )
        }
        return pick(where, rows)


class ProofReader:
    """Proof reads without an ORM session: a pooled DBAPI connection and one statement that fetches
    every stored hash a proof needs, on the condition that the tree has reached the proof's size
    (`None` when it has not, so the caller can report that). Stored hashes never change once
    written (the tree is append-only), so reads need no transaction; on PostgreSQL the
    connection runs in autocommit for the call, so returning it to the pool sends no ROLLBACK."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        self.mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._sql: dict[int, str] = {}

    def _query(self, count: int) -> str:
        sql = self._sql.get(0 if self.postgres else count)
        if sql is None:
            rows = "= ANY(%s)" if self.postgres else f"IN ({', '.join([self.mark] * count)})"
            sql = (
                f"SELECT idx, leaf_hash, nodes FROM ledger_leaves WHERE idx {rows}"
                f" AND EXISTS (SELECT 1 FROM ledger_state WHERE id = 1 AND size >= {self.mark})"
            )
            self._sql[0 if self.postgres else count] = sql
        return sql

    def hashes(
        self, keys: Sequence[tuple[int, int]], size: int
    ) -> dict[tuple[int, int], bytes] | None:
        """The stored hashes of complete subtrees `keys` (those found), or None if the tree has
        fewer than `size` leaves."""
        # models.node_location, inlined
        where = [(k, ((k[1] + 1) << k[0]) - 1, (k[0] - 1) * HASH) for k in keys]
        idxs = sorted({idx for _, idx, _ in where})
        raw = self.engine.raw_connection()
        try:
            if self.postgres:
                pg = _driver_connection(raw)
                # Not IDLE (the pool hands out idle connections).
                if pg.info.transaction_status != 0:
                    pg.rollback()
                pg.autocommit = True
                try:
                    with pg.cursor() as cur:
                        cur.execute(self._query(0), (idxs, size), prepare=True)
                        got = cur.fetchall()
                finally:
                    pg.autocommit = False
            else:
                cur = raw.cursor()
                cur.execute(self._query(len(idxs)), (*idxs, size))
                got = cur.fetchall()
                cur.close()
        finally:
            raw.close()
        if not got:
            return None
        rows = {idx: (lh, nodes) for idx, lh, nodes in got}
        out = {}
        for k, idx, off in where:
            row = rows.get(idx)
            if row is not None:
                h = row[0] if off < 0 else row[1][off : off + HASH]
                if len(h) == HASH:
                    out[k] = h
        return out


def leaf_rows(session: Session, start: int, end: int) -> list[sa.Row]:
    q = sa.select(LEAVES.c.idx, LEAVES.c.data, LEAVES.c.leaf_hash, LEAVES.c.created_at)
    return list(
        session.execute(q.where(LEAVES.c.idx >= start, LEAVES.c.idx < end).order_by(LEAVES.c.idx))
    )


def iter_leaves(session: Session, *, chunk: int = 10_000) -> Iterator[sa.Row]:
    """All leaves in index order, fetched in keyset-paginated chunks."""
    start = 0
    while True:
        q = sa.select(LEAVES.c.idx, LEAVES.c.data, LEAVES.c.leaf_hash, LEAVES.c.nodes).where(
            LEAVES.c.idx >= start
        )
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
    q = sa.select(COSIGNATURES.c.witness, COSIGNATURES.c.line).where(
        COSIGNATURES.c.checkpoint_size == size
    )
    return list(session.execute(q.order_by(COSIGNATURES.c.witness)))
