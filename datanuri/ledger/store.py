"""Reading and appending the ledger tables inside a caller's SQLAlchemy session (Core, for speed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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
HASH = merkle.HASH_SIZE


def split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + merkle.HASH_SIZE] for i in range(0, len(blob), merkle.HASH_SIZE)]


def read_state(session: Session, *, lock: bool) -> tuple[int, list[bytes]]:
    """The tree size and frontier. With `lock`, holds the state row until the transaction ends
    (see `_Appender.lock_state`)."""
    if lock:
        conn = session.connection()
        return _Appender(conn.dialect, _driver_connection(conn.connection)).lock_state()
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
    return _Appender(conn.dialect, _driver_connection(conn.connection)).append(datas)


def append_committed(engine: sa.Engine, datas: Sequence[bytes], *, durable: bool) -> list[int]:
    """Append leaf data in a transaction of its own on a pooled connection, committed when this
    returns. `durable` on SQLite: this commit is synced to disk (`synchronous=FULL` for it; the
    engine's own setting, WAL with NORMAL, survives a crash of the process but may lose the last
    commits on a power failure). PostgreSQL syncs every commit unless the server says otherwise."""
    raw = engine.raw_connection()
    try:
        driver = _driver_connection(raw)
        appender = _Appender(engine.dialect, driver)
        sync = durable and appender.sqlite
        if sync:
            before = driver.execute("PRAGMA synchronous").fetchone()[0]
            driver.execute("PRAGMA synchronous=FULL")
        try:
            with appender.errors("COMMIT"):
                try:
                    indexes = appender.append(datas)
                    driver.commit()
                except BaseException:
                    driver.rollback()
                    raise
        finally:
            if sync:
                driver.execute(f"PRAGMA synchronous={int(before)}")
    finally:
        raw.close()
    return indexes


class _Appender:
    """The append statements on one DBAPI connection, in whatever transaction it is in."""

    def __init__(self, dialect: sa.Dialect, driver: Any) -> None:
        self.dialect = dialect
        self.driver = driver
        self.sqlite = dialect.name == "sqlite"
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"

    @contextmanager
    def errors(self, sql: str) -> Iterator[None]:
        """Driver errors raised as SQLAlchemy's DBAPIError, as a statement run through
        SQLAlchemy would raise them."""
        dbapi_error = self.dialect.loaded_dbapi.Error
        try:
            yield
        except dbapi_error as exc:
            raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error) from exc

    def lock_state(self) -> tuple[int, list[bytes]]:
        """The tree size and frontier, the state row held until the transaction ends: on SQLite
        a no-op UPDATE first takes the database write lock (so the read below is current); on
        PostgreSQL SELECT ... FOR UPDATE locks the row."""
        cur = self.driver.cursor()
        if self.sqlite:
            sql = "SELECT size, frontier FROM ledger_state WHERE id = 1"
            with self.errors(sql):
                cur.execute("UPDATE ledger_state SET size = size WHERE id = 1")
                cur.execute(sql)
        else:
            sql = "SELECT size, frontier FROM ledger_state WHERE id = 1 FOR UPDATE"
            with self.errors(sql):
                cur.execute(sql)
        row = cur.fetchone()
        cur.close()
        if row is None:
            raise LookupError("ledger_state row missing")
        return int(row[0]), split_frontier(bytes(row[1]))

    def append(self, datas: Sequence[bytes]) -> list[int]:
        """Lock the state, write the leaf rows and the new state; returns the leaves' indexes."""
        size, frontier = self.lock_state()
        stamp = _bind(LEAVES.c.created_at, self.dialect, utcnow())
        rows, frontier = rows_for(size, frontier, datas, stamp)
        if rows:
            if self.copy:
                self._copy(rows)
            else:
                self._insert(rows)
        index = size + len(rows)
        m = self.mark
        sql = f"UPDATE ledger_state SET size = {m}, frontier = {m}, updated_at = {m} WHERE id = 1"
        cur = self.driver.cursor()
        with self.errors(sql):
            cur.execute(sql, (index, b"".join(frontier), stamp))
        cur.close()
        return list(range(size, index))

    def _insert(self, rows: list[tuple]) -> None:
        """Multi-row INSERTs of `_MULTI` rows, then the remainder with executemany."""
        one = f"({', '.join([self.mark] * 5)})"
        full = len(rows) - len(rows) % _MULTI
        cur = self.driver.cursor()
        if full:
            sql = f"INSERT INTO ledger_leaves ({_LEAF_COLUMNS}) VALUES {', '.join([one] * _MULTI)}"
            flat = [x for r in rows[:full] for x in r]
            width = 5 * _MULTI
            with self.errors(sql):
                cur.executemany(sql, [flat[i : i + width] for i in range(0, len(flat), width)])
        if full < len(rows):
            sql = f"INSERT INTO ledger_leaves ({_LEAF_COLUMNS}) VALUES {one}"
            with self.errors(sql):
                cur.executemany(sql, rows[full:])
        cur.close()

    def _copy(self, rows: list[tuple]) -> None:
        """Binary COPY into ledger_leaves on psycopg 3, in the connection's transaction."""
        sql = f"COPY ledger_leaves ({_LEAF_COLUMNS}) FROM STDIN (FORMAT BINARY)"
        with self.errors(sql), self.driver.cursor() as cur, cur.copy(sql) as copy:
            copy.set_types(["int8", "text", "bytea", "bytea", "timestamp"])
            write = copy.write_row
            for row in rows:
                write(row)


_MULTI = 100  # rows per multi-row INSERT: fewer statement executions than one per row


def rows_for(
    size: int, frontier: list[bytes], datas: Sequence[bytes], stamp: object
) -> tuple[list[tuple[int, str, bytes, bytes, object]], list[bytes]]:
    """The `ledger_leaves` rows of `datas` appended to a tree of `size` leaves with right edge
    `frontier`, and the new right edge (pure; `frontier` is consumed)."""
    rows: list[tuple[int, str, bytes, bytes, object]] = []
    append = rows.append
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
            append((index, data.decode(), h, b"".join(parts), stamp))
        else:
            push(h)
            append((index, data.decode(), h, b"", stamp))
        index += 1
    return rows, frontier


def _driver_connection(raw: PoolProxiedConnection) -> Any:
    """The DBAPI driver's own connection under SQLAlchemy's pool proxy."""
    driver = raw.driver_connection
    if driver is None:
        raise sa.exc.ResourceClosedError("the database connection is closed")
    return driver


def _bind(column: sa.Column, dialect: sa.Dialect, value: object) -> object:
    """`value` as the dialect's own type processing would bind it (on SQLite a DATETIME string,
    exactly as an ORM insert stores it)."""
    proc = column.type.dialect_impl(dialect).bind_processor(dialect)
    return proc(value) if proc else value


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
        sql = self._sql.get(count)
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
