"""The plain result types of ingestion: limits, row problems and the ingest result."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Resource limits that protect the server from hostile or broken files."""

    max_cell_bytes: int = 16 * 1024**2
    max_columns: int = 2_000
    max_xlsx_uncompressed_bytes: int = 2 * 1024**3
    batch_rows: int = 65_536


@dataclass(frozen=True)
class Problem:
    """One row-level problem: where it is, what kind, and a message for a person."""

    line: int | None
    column: str | None
    kind: str
    message: str
    value: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What `ingest` made: row count, columns, Frictionless schema, profile and problems."""

    rows: int
    columns: list[str]
    schema: dict
    profile: dict
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
