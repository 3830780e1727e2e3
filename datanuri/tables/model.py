"""The plain result types of ingestion: limits, row problems and the ingest result."""

from __future__ import annotations

from dataclasses import dataclass, field

from datanuri.i18n import translate


@dataclass(frozen=True)
class Limits:
    """Resource limits that protect the server from hostile or broken files."""

    max_cell_bytes: int = 16 * 1024**2
    max_columns: int = 2_000
    max_xlsx_uncompressed_bytes: int = 2 * 1024**3
    batch_rows: int = 65_536


@dataclass(frozen=True)
class Layout:
    """Where a CSV or XLSX table starts and what stays in it (the publisher's choices).

    `header_row`: the 1-based row (line) of the header, counting title rows; None = detect it
    (`tables.layout.find_header`). `keep_totals`: keep 합계/소계/Total rows as data instead of
    leaving them out and reporting them."""

    header_row: int | None = None
    keep_totals: bool = False

    @classmethod
    def of(
        cls, header_row: int | None = None, skip_rows: int | None = None, keep_totals: bool = False
    ) -> Layout:
        """From the publish options: `--header-row N` or `--skip-rows N` (= header row N + 1)."""
        from datanuri.errors import InvalidInput
        from datanuri.tables import messages as M

        if header_row is not None and header_row < 1:
            raise InvalidInput(M.MSG_BAD_HEADER_ROW.format(value=header_row))
        if skip_rows is not None and skip_rows < 0:
            raise InvalidInput(M.MSG_BAD_SKIP_ROWS.format(value=skip_rows))
        if header_row is not None and skip_rows is not None and header_row != skip_rows + 1:
            raise InvalidInput(M.MSG_HEADER_AND_SKIP.format(header_row=header_row, skip=skip_rows))
        if header_row is None and skip_rows is not None:
            header_row = skip_rows + 1
        return cls(header_row, keep_totals)


@dataclass(frozen=True)
class Problem:
    """One row-level problem: where it is, what kind, and a message for a person."""

    line: int | None
    column: str | None
    kind: str
    message: str
    value: str | None = None
    message_ko: str | None = None  # the same message in Korean, from the message catalogue

    def __post_init__(self) -> None:
        if self.message_ko is None:
            object.__setattr__(self, "message_ko", translate(self.message, "ko"))


@dataclass(frozen=True)
class RowOutcome:
    """What lenient mode did about the problems, counted exactly: rows left out of the table
    (malformed rows and total rows) and values kept in it (as text, or as null)."""

    dropped_rows: int = 0
    total_rows: int = 0  # of the dropped rows, totals (합계, 소계, ...)
    kept_as_text: int = 0
    kept_as_null: int = 0
    header_lines: tuple[int, int] = (1, 1)

    def to_dict(self) -> dict:
        return {
            "dropped_rows": self.dropped_rows,
            "total_rows": self.total_rows,
            "kept_as_text": self.kept_as_text,
            "kept_as_null": self.kept_as_null,
            "header_lines": list(self.header_lines),
        }


@dataclass(frozen=True)
class IngestResult:
    """What `ingest` made: row count, columns, Frictionless schema, profile and problems."""

    rows: int
    columns: list[str]
    schema: dict
    profile: dict
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    outcome: RowOutcome = field(default_factory=lambda: RowOutcome())
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
