"""Stream a Parquet file out as Parquet, CSV, Excel or JSON, batch by batch.

Parquet leaves as stored. Text formats meant for spreadsheets (CSV in UTF-8 with a byte-order
mark, CSV in CP949 for Korean Windows Excel, XLSX) neutralise formula injection (OWASP's rule):
a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be run as a
formula when the file is opened, so CSV prefixes it with an apostrophe and XLSX stores it as a
text cell. JSON and Parquet stay exact.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from datanuri.errors import InvalidInput

Format = Literal["parquet", "csv", "csv-cp949", "xlsx", "json"]


@dataclass(frozen=True)
class ExportFormat:
    """One download format: its media type, file suffix and what it is for."""

    name: str
    media_type: str
    suffix: str
    description: str


EXPORTS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "parquet",
            "application/vnd.apache.parquet",
            ".parquet",
            "Parquet exactly as stored (its SHA-256 is the ledger's content hash)",
        ),
        ExportFormat(
            "csv",
            "text/csv; charset=utf-8",
            ".csv",
            "CSV in UTF-8 with a byte-order mark, so Excel opens Korean text correctly",
        ),
        ExportFormat(
            "csv-cp949",
            "text/csv; charset=cp949",
            "-cp949.csv",
            "CSV in CP949 (Korean Windows); characters CP949 lacks are written as ?",
        ),
        ExportFormat(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
            "Excel workbook, one sheet (at most 1,048,575 rows and 16,384 columns)",
        ),
        ExportFormat("json", "application/json", ".json", "A JSON array of row objects"),
    )
}
#: Media type of each format (DCAT, Data Package and the OpenAPI document read it).
FORMATS: dict[str, str] = {name: f.media_type for name, f in EXPORTS.items()}
CHUNK = 1024 * 1024
BOM = "\ufeff".encode()
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_START = "^[=+\\-@\t\r]"
XLSX_MAX_ROWS = 1_048_576 - 1  # one row is the header
XLSX_MAX_COLUMNS = 16_384
#: Excel keeps 15 significant digits: longer integers (codes, registration numbers) go as text.
XLSX_EXACT_DIGITS = 15
XLSX_EXACT_INTEGERS = 10**XLSX_EXACT_DIGITS


def check_format(fmt: str) -> str:
    if fmt not in EXPORTS:
        raise InvalidInput(f"Unknown download format {fmt!r}; choose one of {', '.join(EXPORTS)}.")
    return fmt


def filename(name: str, number: int, fmt: str) -> str:
    """The download's file name, e.g. ``air-v3.csv`` or ``air-v3-cp949.csv``."""
    return f"{name}-v{number}{EXPORTS[check_format(fmt)].suffix}"


def stream(path: Path, fmt: str, *, batch_rows: int = 65_536) -> Iterator[bytes]:
    """Yield the file's content in `fmt` as byte chunks. Checks that need the whole file (XLSX
    limits) raise before the first chunk, so a caller can still answer with an error."""
    check_format(fmt)
    if fmt == "parquet":
        return _raw(path)
    if fmt == "csv":
        return _csv(path, batch_rows, bom=True, encoding="utf-8")
    if fmt == "csv-cp949":
        return _csv(path, batch_rows, bom=False, encoding="cp949")
    if fmt == "xlsx":
        return _xlsx(path, batch_rows)
    return _json(path, batch_rows)


def _raw(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _as_text(col: pa.Array) -> pa.Array:
    """Nested values as JSON and bytes as hex: CSV has neither, and Arrow's writer refuses them."""
    if pa.types.is_nested(col.type):
        values = [
            None if v is None else json.dumps(v, ensure_ascii=False, default=str)
            for v in col.to_pylist()
        ]
        return pa.array(values, pa.string())
    if pa.types.is_binary(col.type) or pa.types.is_large_binary(col.type):
        return pa.array([None if v is None else v.hex() for v in col.to_pylist()], pa.string())
    return col


def neutralise_formulas(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Prefix an apostrophe to text cells a spreadsheet would run as a formula (OWASP); nested
    and binary values become text first."""
    columns = []
    for col in map(_as_text, batch.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.fill_null(pc.match_substring_regex(col, FORMULA_START), False)
            if pc.any(risky).as_py():
                col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _csv(path: Path, batch_rows: int, *, bom: bool, encoding: str) -> Iterator[bytes]:
    pf = pq.ParquetFile(path)
    buf = io.BytesIO()
    writer: pacsv.CSVWriter | None = None

    def take() -> bytes:
        data = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if encoding == "utf-8":
            return data
        return data.decode("utf-8").encode(encoding, errors="replace")

    if bom:
        yield BOM
    try:
        for batch in pf.iter_batches(batch_size=batch_rows):
            # whole rows per batch, so a multi-byte character is never split between chunks
            ready = neutralise_formulas(batch)
            if writer is None:
                writer = pacsv.CSVWriter(buf, ready.schema)
            writer.write_batch(ready)
            if buf.tell() >= CHUNK:
                yield take()
        if writer is None:  # no rows: the header alone
            empty = pa.RecordBatch.from_pylist([], schema=pf.schema_arrow)
            writer = pacsv.CSVWriter(buf, neutralise_formulas(empty).schema)
    finally:
        if writer is not None:
            writer.close()
    if buf.tell():
        yield take()


def _cell_values(col: pa.Array) -> list[object]:
    """Python values openpyxl can write: zone-aware times as UTC without zone; nested values,
    bytes, decimals and integers Excel would round, as text."""
    col = _as_text(col)
    t = col.type
    if pa.types.is_timestamp(t) and t.tz is not None:
        col = col.cast(pa.timestamp(t.unit))
    elif (
        pa.types.is_time(t)
        or pa.types.is_duration(t)
        or pa.types.is_decimal(t)
        and t.precision > XLSX_EXACT_DIGITS
    ):
        return [None if v is None else str(v) for v in col.to_pylist()]
    elif pa.types.is_integer(t):
        return [
            str(v) if v is not None and abs(v) >= XLSX_EXACT_INTEGERS else v
            for v in col.to_pylist()
        ]
    return list(col.to_pylist())


def _xlsx(path: Path, batch_rows: int) -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    pf = pq.ParquetFile(path)
    rows, cols = pf.metadata.num_rows, len(pf.schema_arrow.names)
    if rows > XLSX_MAX_ROWS or cols > XLSX_MAX_COLUMNS:
        raise InvalidInput(
            f"This version has {rows:,} rows and {cols:,} columns; an Excel sheet holds at most "
            f"{XLSX_MAX_ROWS:,} rows and {XLSX_MAX_COLUMNS:,} columns. Download it as CSV or "
            "Parquet instead."
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(pf.schema_arrow.names)

    def as_text(value: str) -> Any:  # a write-only cell
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        return cell

    for batch in pf.iter_batches(batch_size=batch_rows):
        values = [_cell_values(c) for c in batch.columns]
        for row in zip(*values, strict=True):
            ws.append([as_text(v) if isinstance(v, str) and v[:1] == "=" else v for v in row])
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        wb.save(tmp)
    except BaseException:
        os.unlink(tmp)
        raise
    return _raw_then_delete(Path(tmp))


def _raw_then_delete(path: Path) -> Iterator[bytes]:
    try:
        yield from _raw(path)
    finally:
        path.unlink(missing_ok=True)


def _json(path: Path, batch_rows: int) -> Iterator[bytes]:
    """A JSON array of row objects; DuckDB renders each row, so types (dates, decimals) stay right."""
    import duckdb  # imported on use: ~75 ms that most commands never need

    con = duckdb.connect()
    try:
        rel = con.sql(
            "SELECT to_json(t)::VARCHAR AS j FROM read_parquet($p) AS t", params={"p": str(path)}
        )
        reader = rel.to_arrow_reader(batch_rows)
        yield b"["
        first = True
        for batch in reader:
            rows = batch.column(0).to_pylist()
            if not rows:
                continue
            text = ",\n".join(rows)
            yield (text if first else ",\n" + text).encode("utf-8")
            first = False
        yield b"]\n"
    finally:
        con.close()


def read_slice(path: Path, offset: int, limit: int) -> pa.Table:
    """Rows [offset, offset+limit) of a Parquet file, reading only the row groups needed."""
    pf = pq.ParquetFile(path)
    meta = pf.metadata
    tables = []
    start = 0
    for rg in range(meta.num_row_groups):
        n = meta.row_group(rg).num_rows
        end = start + n
        if end > offset and start < offset + limit:
            t = pf.read_row_group(rg)
            lo = max(0, offset - start)
            hi = min(n, offset + limit - start)
            tables.append(t.slice(lo, hi - lo))
        start = end
        if start >= offset + limit:
            break
    if not tables:
        return pf.schema_arrow.empty_table()
    return pa.concat_tables(tables)
