"""Analyst SQL inside the linkage zone: DuckDB in-process over the linked tables, read-only.

The connection is opened with external access off (no files, no network, no ATTACH, no
extension install), extension autoload and autoinstall off, a memory limit and one thread, and
its configuration is then locked so a query cannot turn any of that back on. Only a single
SELECT statement is run; a timer interrupts it at the time limit. Results stay in the zone: the
caller shows them on the zone's pages and never offers them for download.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.linkage import messages as M


@dataclass(frozen=True)
class SandboxLimits:
    """How long a query may run and how much memory it may use."""

    seconds: float = 30.0
    memory: str = "512MB"
    max_rows: int = 10_000  # rows returned to the page


def connect(tables: Mapping[str, pa.Table], limits: SandboxLimits) -> duckdb.DuckDBPyConnection:
    """A locked-down in-memory DuckDB with ``tables`` registered as read-only views."""
    con = duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "memory_limit": limits.memory,
            "threads": 1,
        },
    )
    for name, table in tables.items():
        con.register(name, table)
    con.execute("SET lock_configuration = true")
    return con


def run_sql(
    tables: Mapping[str, pa.Table], sql: str, limits: SandboxLimits | None = None
) -> pa.Table:
    """The result of one SELECT over ``tables``, refused if it is anything else."""
    limits = limits or SandboxLimits()
    with connect(tables, limits) as con:
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise InvalidInput(M.MSG_SQL_ERROR.format(error=str(exc).splitlines()[0])) from exc
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise InvalidInput(M.MSG_SQL_SELECT_ONLY)
        timer = threading.Timer(limits.seconds, con.interrupt)
        timer.start()
        try:
            result = con.sql(sql)
            return result.to_arrow_table() if result is not None else pa.table({})
        except duckdb.InterruptException as exc:
            raise InvalidInput(M.MSG_SQL_TIMEOUT.format(seconds=limits.seconds)) from exc
        except duckdb.PermissionException as exc:
            raise InvalidInput(M.MSG_SQL_REFUSED) from exc
        except duckdb.Error as exc:
            raise InvalidInput(M.MSG_SQL_ERROR.format(error=str(exc).splitlines()[0])) from exc
        finally:
            timer.cancel()
