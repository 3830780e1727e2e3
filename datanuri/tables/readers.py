"""Readers: each format → a stream of Arrow record batches of strings (Parquet stays typed).

A reader also knows where its rows came from: `lines(rows)` maps good-row indices to 1-based
physical lines (sheet rows for XLSX, lines for NDJSON, record numbers for JSON arrays), and
`located_problems()` lists the skipped rows (ragged or not a record) with their lines.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from datanuri.errors import IngestError
from datanuri.tables import messages as M
from datanuri.tables.convert import NULL_TOKENS
from datanuri.tables.detect import Detected
from datanuri.tables.headers import clean_names
from datanuri.tables.layout import (
    SAMPLE_ROWS,
    SPACE_RE,
    TOTAL_LABELS,
    find_header,
    first_text,
    is_total_label,
)
from datanuri.tables.model import Layout, Limits, Problem


@dataclass
class Skipped:
    """A row the reader skipped, with the physical line when known."""

    line: int | None
    kind: str
    message: str
    value: str | None = None


class Reader:
    """Base reader: columns, string batches, bytes read, skipped rows and row → line mapping."""

    typed = False
    sheet: str | None = None

    def __init__(self, path: Path, name: str, limits: Limits) -> None:
        self.path, self.name, self.limits = path, name, limits
        self.columns: list[str] = []
        self.skipped_count = 0
        self.total_rows = 0  # of the skipped rows, those left out as totals (합계, 소계, ...)
        self.size = path.stat().st_size
        self.position = 0
        self.header_lines: tuple[int, int] = (1, 1)  # first and last line of the header

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Record batches of at most `limits.batch_rows` rows."""
        raise NotImplementedError

    def locate(self, rows: np.ndarray, limit: int) -> tuple[dict[int, int], list[Problem]]:
        """Lines of the given good-row indices, and the first `limit` skipped rows as problems."""
        raise NotImplementedError

    def _slices(self, batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        step = max(1, self.limits.batch_rows)
        for off in range(0, batch.num_rows, step):
            yield batch.slice(off, step)


def _total_in(rec: list[str]) -> str | None:
    """A CSV record's first cell that Arrow does not read as null (where a total label sits)."""
    return next((v for v in rec if v not in NULL_TOKENS), None)


def _total_problem(line: int, label: str | None) -> Problem:
    """The problem of a total row left out of the table."""
    return Problem(
        line,
        None,
        "total_row",
        M.PROB_TOTAL_ROW.format(line=line, label=label),
        label,
    )


def _bad_encoding(name: str, encoding: str, where: str = "") -> IngestError:
    return IngestError(
        M.MSG_BAD_ENCODING.format(name=name, encoding=encoding, where=where),
        details={"name": name, "encoding": encoding},
    )


def _too_large(name: str, limit: int, where: str = "") -> IngestError:
    return IngestError(
        M.MSG_CELL_TOO_LARGE.format(name=name, limit=limit, where=where),
        details={"name": name, "limit": limit},
    )


SMALL_BLOCK = 2 << 20
_TOTALS = pa.array(sorted(TOTAL_LABELS), pa.string())


class _BlockTooSmall(Exception):
    """A row did not fit in one CSV block."""


class CsvReader(Reader):
    """CSV/TSV through Arrow's streaming CSV reader, transcoding non-UTF-8 text on the fly."""

    map_nulls = True  # null tokens are already nulls in the batches

    def __init__(
        self, path: Path, name: str, limits: Limits, det: Detected, layout: Layout
    ) -> None:
        super().__init__(path, name, limits)
        self.encoding = det.encoding or "utf-8"
        self.delimiter = det.delimiter or ","
        self.layout = layout
        sample: list[list[str | None]] = []
        ends: list[int] = []  # physical line on which each sampled record ends
        try:
            with self._text() as f:
                rd = csv.reader(f, delimiter=self.delimiter)
                for rec in rd:
                    sample.append(list(rec))
                    ends.append(rd.line_num)
                    if len(sample) >= _sample_size(layout):
                        break
        except UnicodeDecodeError:
            if not sample:
                raise _bad_encoding(name, self.encoding, " in its header line (line 1)") from None
            # a bad byte further down: the rows before it place the header, the read reports it
        except csv.Error:
            pass
        found = _header(sample, layout, name)
        if found is None or not any(h.strip() for h in found.names):
            raise IngestError(M.MSG_NO_COLUMNS.format(name=name), details={"name": name})
        width = max(len(r) for r in sample[found.first : found.data_start])
        header = found.names + [""] * (width - len(found.names))
        # lines before the data: Arrow skips physical lines, blank and quoted ones included
        self.data_line0 = ends[found.data_start - 1]
        self.header_lines = (
            (ends[found.first - 1] + 1) if found.first else 1,
            ends[found.data_start - 1],
        )
        self.raw_columns = header
        self.columns = clean_names(header)
        self.first_skipped: list[str] = []

    def _text(self) -> io.TextIOWrapper:
        enc = "utf-8-sig" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        return io.TextIOWrapper(open(self.path, "rb"), encoding=enc, errors="strict", newline="")

    def batches(self) -> Iterator[pa.RecordBatch]:
        """String batches of exactly `limits.batch_rows` rows (the last one shorter), whatever
        the blocks Arrow parsed them in; ragged rows are counted and skipped (located later).

        Arrow reads ahead many blocks, so blocks are small (`SMALL_BLOCK`) to bound memory; a
        row longer than a small block restarts the read with blocks sized from the cell limit,
        skipping the rows already delivered."""
        step = max(1, self.limits.batch_rows)
        big = int(min(max(self.limits.max_cell_bytes + (1 << 20), 1 << 20), 1 << 30))
        block = min(SMALL_BLOCK, big)
        taken = 0  # rows taken from Arrow so far (delivered or pending)
        pending: list[pa.RecordBatch] = []
        buffered = 0
        while True:
            # a restart recounts the skipped rows from the start
            skip, self.skipped_count, self.total_rows = taken, 0, 0
            try:
                for batch in self._blocks(block):
                    if skip:
                        if batch.num_rows <= skip:
                            skip -= batch.num_rows
                            continue
                        batch, skip = batch.slice(skip), 0
                    pending.append(batch)
                    buffered += batch.num_rows
                    taken += batch.num_rows
                    while buffered >= step:
                        t = pa.Table.from_batches(pending)
                        yield t.slice(0, step).combine_chunks().to_batches()[0]
                        rest = t.slice(step)
                        pending, buffered = rest.to_batches(), rest.num_rows
            except _BlockTooSmall:
                if block >= big:
                    raise _too_large(self.name, self.limits.max_cell_bytes) from None
                block = big
                continue
            break
        if buffered:
            yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]

    def _blocks(self, block: int) -> Iterator[pa.RecordBatch]:
        """Arrow's streaming CSV reader with the given block size."""
        arrow_enc = "utf8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding

        def on_invalid(row: pacsv.InvalidRow) -> str:
            self.skipped_count += 1
            return "skip"

        ropts = pacsv.ReadOptions(
            column_names=self.columns,
            skip_rows=self.data_line0,
            block_size=block,
            encoding=arrow_enc,
        )
        popts = pacsv.ParseOptions(
            delimiter=self.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        )
        if (
            self.map_nulls
        ):  # the null tokens become nulls in Arrow's parser threads (as convert.nullify_tokens)
            copts = pacsv.ConvertOptions(
                column_types={c: pa.string() for c in self.columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=list(NULL_TOKENS),
            )
        else:
            copts = pacsv.ConvertOptions(
                column_types={c: pa.string() for c in self.columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            )
        f = open(self.path, "rb")
        try:
            try:
                reader = pacsv.open_csv(
                    f, read_options=ropts, parse_options=popts, convert_options=copts
                )
                while True:
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        break
                    self.position = max(self.position, f.tell())
                    yield self._without_totals(batch)
            except UnicodeDecodeError as e:
                raise _bad_encoding(
                    self.name, self.encoding, f" (byte {e.start} of a chunk)"
                ) from None
            except pa.ArrowInvalid as e:
                msg = str(e)
                if "straddling" in msg or "block size" in msg:
                    raise _BlockTooSmall() from None
                if "UTF8" in msg or "utf8" in msg.lower() or "decode" in msg.lower():
                    raise _bad_encoding(self.name, self.encoding) from None
                raise IngestError(
                    M.MSG_UNREADABLE.format(name=self.name, kind="CSV", detail=msg),
                    details={"name": self.name},
                ) from None
        finally:
            f.close()

    def _without_totals(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch without its total rows: those whose first non-null cell is a total label
        (counted as skipped; `locate` finds their lines with the same rule, `_total_in`)."""
        if self.layout.keep_totals or not batch.num_rows:
            return batch
        first = pc.coalesce(*batch.columns) if batch.num_columns > 1 else batch.column(0)
        norm = pc.utf8_lower(pc.replace_substring_regex(first, SPACE_RE.pattern, ""))
        hit = pc.fill_null(pc.is_in(norm, value_set=_TOTALS), False)
        dropped = pc.sum(hit).as_py() or 0
        if not dropped:
            return batch
        self.skipped_count += dropped
        self.total_rows += dropped
        return batch.filter(pc.invert(hit))

    def locate(self, rows: np.ndarray, limit: int) -> tuple[dict[int, int], list[Problem]]:
        """Walk the text with the csv module until `limit` problems are placed (diagnostics only)."""
        want = iter(rows.tolist())
        nxt = next(want, None)
        found: dict[int, int] = {}
        skipped: list[Problem] = []
        n = len(self.columns)
        if nxt is None and self.skipped_count == 0:
            return found, skipped
        with self._text() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            while reader.line_num < self.data_line0 and next(reader, None) is not None:
                pass
            k, prev = 0, reader.line_num
            for rec in reader:
                line, prev = prev + 1, reader.line_num
                if not rec:
                    continue
                if len(rec) != n:
                    text = self.delimiter.join(rec)
                    skipped.append(
                        Problem(
                            line,
                            None,
                            "column_count",
                            M.PROB_COLUMN_COUNT.format(line=line, actual=len(rec), expected=n),
                            text[:200],
                        )
                    )
                elif not self.layout.keep_totals and is_total_label(_total_in(rec)):
                    skipped.append(_total_problem(line, _total_in(rec)))
                else:
                    while nxt is not None and nxt == k:
                        found[k] = line
                        nxt = next(want, None)
                    k += 1
                if len(skipped) + len(found) >= limit or (
                    nxt is None and len(skipped) >= min(limit, self.skipped_count)
                ):
                    break
        return found, skipped


class RowsReader(Reader):
    """Base for readers that build batches from Python rows (XLSX, JSON): tracks lines per row."""

    def __init__(self, path: Path, name: str, limits: Limits) -> None:
        super().__init__(path, name, limits)
        self.row_lines: list[np.ndarray] = []
        self.skipped: list[Problem] = []

    def _batch(self, rows: list[list[str | None]], lines: list[int]) -> pa.RecordBatch:
        self.row_lines.append(np.asarray(lines, dtype=np.int64))
        cols = [pa.array([r[i] for r in rows], pa.string()) for i in range(len(self.columns))]
        return pa.RecordBatch.from_arrays(cols, names=self.columns)

    def _skip(self, problem: Problem) -> None:
        self.skipped_count += 1
        if len(self.skipped) < 1000:
            self.skipped.append(problem)

    def locate(self, rows: np.ndarray, limit: int) -> tuple[dict[int, int], list[Problem]]:
        """Lines recorded while reading."""
        all_lines = np.concatenate(self.row_lines) if self.row_lines else np.zeros(0, np.int64)
        return {int(r): int(all_lines[r]) for r in rows[:limit]}, self.skipped[:limit]


def _cell(v: object) -> str | None:
    """A Python cell value as text (dates ISO, midnight datetimes as dates, bools true/false)."""
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return (
            v.date().isoformat()
            if v.time() == dt.time(0) and v.tzinfo is None
            else v.isoformat(sep=" ")
        )
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def check_zip_bomb(path: Path, name: str, limits: Limits) -> None:
    """Refuse workbooks whose declared uncompressed size or compression ratio is out of bounds."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise IngestError(
            M.MSG_TRUNCATED.format(name=name, kind="an Excel workbook (ZIP)", detail=str(e)),
            details={"name": name},
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise IngestError(
            M.MSG_ZIP_BOMB.format(
                name=name,
                size=total,
                limit=limits.max_xlsx_uncompressed_bytes,
                detail="declared sizes",
            ),
            details={"name": name, "size": total},
        )
    for i in infos:
        if i.file_size > (1 << 20) and i.file_size > 200 * max(i.compress_size, 1):
            raise IngestError(
                M.MSG_ZIP_BOMB.format(
                    name=name,
                    size=total,
                    limit=limits.max_xlsx_uncompressed_bytes,
                    detail=f"{i.filename} is compressed {i.file_size // max(i.compress_size, 1)}:1",
                ),
                details={"name": name, "entry": i.filename},
            )


class XlsxReader(RowsReader):
    """XLSX through openpyxl's read-only streaming mode (named or first sheet)."""

    def __init__(
        self, path: Path, name: str, limits: Limits, sheet: str | None, layout: Layout
    ) -> None:
        super().__init__(path, name, limits)
        check_zip_bomb(path, name, limits)
        import openpyxl

        try:
            self.fh = open(path, "rb")
            self.wb = openpyxl.load_workbook(self.fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, TypeError) as e:
            raise IngestError(
                M.MSG_TRUNCATED.format(
                    name=name, kind="an Excel workbook", detail=str(e) or type(e).__name__
                ),
                details={"name": name},
            ) from None
        names = self.wb.sheetnames
        if sheet is not None and sheet not in names:
            raise IngestError(
                M.MSG_NO_SHEET.format(name=name, sheet=sheet, sheets=", ".join(names)),
                details={"name": name, "sheets": names},
            )
        self.sheet = sheet or names[0]
        self.ws = self.wb[self.sheet]
        self.layout = layout
        self.rows = self.ws.iter_rows(values_only=True)
        self.header_line = 0
        self.head: list[tuple[int, list[str | None]]] = []  # rows read past the header
        try:
            sample = [
                [_cell(v) for v in row] for row in itertools.islice(self.rows, _sample_size(layout))
            ]
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise IngestError(
                M.MSG_TRUNCATED.format(name=name, kind="an Excel workbook", detail=str(e)),
                details={"name": name},
            ) from None
        found = _header(sample, layout, name)
        if found is not None:
            self.header_line = found.data_start
            self.header_lines = (found.first + 1, found.data_start)
            self.raw_columns = found.names
            self.columns = clean_names(found.names)
            self.head = list(enumerate(sample[found.data_start :], start=found.data_start + 1))
        if not self.columns:
            raise IngestError(
                M.MSG_EMPTY_SHEET.format(name=name, sheet=self.sheet), details={"name": name}
            )

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Sheet rows as string batches; blank rows are skipped, longer rows reported."""
        n = len(self.columns)
        rows: list[list[str | None]] = []
        lines: list[int] = []
        later = (
            (line, [_cell(v) for v in row])
            for line, row in enumerate(self.rows, start=len(self.head) + self.header_line + 1)
        )
        try:
            for line, vals in itertools.chain(self.head, later):
                if not any(v is not None and v != "" for v in vals):
                    continue
                if len(vals) > n and any(v not in (None, "") for v in vals[n:]):
                    self._skip(
                        Problem(
                            line,
                            None,
                            "column_count",
                            M.PROB_COLUMN_COUNT.format(line=line, actual=len(vals), expected=n),
                            None,
                        )
                    )
                    continue
                if not self.layout.keep_totals and is_total_label(first_text(vals)):
                    self.total_rows += 1
                    label = first_text(vals)
                    self._skip(_total_problem(line, label))
                    continue
                vals = (vals + [None] * n)[:n]
                rows.append(vals)
                lines.append(line)
                if len(rows) >= self.limits.batch_rows:
                    yield self._batch(rows, lines)
                    rows, lines = [], []
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise IngestError(
                M.MSG_TRUNCATED.format(name=self.name, kind="an Excel workbook", detail=str(e)),
                details={"name": self.name},
            ) from None
        finally:
            self.position = self.size
        if rows or not self.row_lines:
            yield self._batch(rows, lines)
        self.wb.close()
        self.fh.close()


class JsonReader(RowsReader):
    """A JSON array of objects (loaded whole) or NDJSON (streamed line by line)."""

    def __init__(self, path: Path, name: str, limits: Limits, det: Detected) -> None:
        super().__init__(path, name, limits)
        self.format, self.encoding = det.format, det.encoding or "utf-8"
        self.records = self._records()
        first: list[tuple[int, dict]] = []
        for line, rec in self.records:
            first.append((line, rec))
            if len(first) >= 1000:
                break
        keys: dict[str, None] = {}
        for _, rec in first:
            keys.update(dict.fromkeys(rec))
        self.keys = list(keys)
        self.columns = clean_names(self.keys)
        self.first = first

    def _open(self) -> io.TextIOWrapper:
        enc = "utf-8-sig" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding
        return io.TextIOWrapper(open(self.path, "rb"), encoding=enc, errors="strict")

    def _records(self) -> Iterator[tuple[int, dict]]:
        try:
            if self.format == "json":
                with self._open() as f:
                    try:
                        data = json.load(f)
                    except ValueError as e:
                        raise IngestError(
                            M.MSG_BAD_JSON.format(name=self.name, detail=str(e)),
                            details={"name": self.name},
                        ) from None
                if not isinstance(data, list):
                    raise IngestError(
                        M.MSG_JSON_NOT_RECORDS.format(name=self.name), details={"name": self.name}
                    )
                for i, rec in enumerate(data, start=1):
                    if isinstance(rec, dict):
                        yield i, rec
                    else:
                        self._skip(
                            Problem(
                                i,
                                None,
                                "record",
                                M.PROB_NOT_RECORD.format(line=i),
                                _cell(rec),
                            )
                        )
                return
            with self._open() as f:
                for i, text in enumerate(f, start=1):
                    if not text.strip():
                        continue
                    try:
                        rec = json.loads(text)
                    except ValueError as e:
                        raise IngestError(
                            M.MSG_BAD_JSON.format(name=self.name, detail=f"line {i}: {e}"),
                            details={"name": self.name, "line": i},
                        ) from None
                    if isinstance(rec, dict):
                        yield i, rec
                    else:
                        self._skip(
                            Problem(
                                i,
                                None,
                                "record",
                                M.PROB_NOT_RECORD.format(line=i),
                                _cell(rec),
                            )
                        )
        except UnicodeDecodeError:
            raise _bad_encoding(self.name, self.encoding) from None

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Records as string batches (keys not seen in the first 1000 records are dropped)."""
        import itertools

        rows: list[list[str | None]] = []
        lines: list[int] = []
        for line, rec in itertools.chain(self.first, self.records):
            rows.append([_cell(rec.get(k)) for k in self.keys])
            lines.append(line)
            if len(rows) >= self.limits.batch_rows:
                yield self._batch(rows, lines)
                rows, lines = [], []
        self.position = self.size
        if rows or not self.row_lines:
            yield self._batch(rows, lines)


class ParquetReader(Reader):
    """Parquet input: typed batches, only the column names are cleaned."""

    typed = True

    def __init__(self, path: Path, name: str, limits: Limits) -> None:
        super().__init__(path, name, limits)
        try:
            self.pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as e:
            raise IngestError(
                M.MSG_TRUNCATED.format(name=name, kind="a Parquet file", detail=str(e)),
                details={"name": name},
            ) from None
        self.columns = clean_names(self.pf.schema_arrow.names)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The file's own record batches, renamed."""
        try:
            for i, b in enumerate(self.pf.iter_batches(batch_size=self.limits.batch_rows)):
                self.position = self.size * (i + 1) // max(1, self.pf.num_row_groups)
                yield pa.RecordBatch.from_arrays(b.columns, names=self.columns)
        except (pa.ArrowInvalid, OSError) as e:
            raise IngestError(
                M.MSG_TRUNCATED.format(name=self.name, kind="a Parquet file", detail=str(e)),
                details={"name": self.name},
            ) from None

    def locate(self, rows: np.ndarray, limit: int) -> tuple[dict[int, int], list[Problem]]:
        """Parquet rows have no lines; row numbers are 1-based record numbers."""
        return {int(r): int(r) + 1 for r in rows[:limit]}, []


def _sample_size(layout: Layout) -> int:
    """How many rows to read for header detection (past a header row the publisher named)."""
    return SAMPLE_ROWS + (layout.header_row or 0)


def _header(sample: list[list[str | None]], layout: Layout, name: str):
    """The header found in the first rows, at the publisher's row if they named one."""
    if layout.header_row is None:
        return find_header(sample)
    found = find_header(sample, start=layout.header_row - 1)
    if found is None:
        raise IngestError(
            M.MSG_HEADER_ROW_EMPTY.format(name=name, row=layout.header_row),
            details={"name": name, "header_row": layout.header_row},
        )
    return found


def open_reader(
    path: Path,
    name: str,
    det: Detected,
    limits: Limits,
    sheet: str | None,
    layout: Layout | None = None,
) -> Reader:
    """The reader for a detected format (`layout`: where the header is, whether totals stay)."""
    layout = layout or Layout()
    if det.format in ("csv", "tsv"):
        return CsvReader(path, name, limits, det, layout)
    if det.format == "xlsx":
        return XlsxReader(path, name, limits, sheet, layout)
    if layout.header_row is not None:
        raise IngestError(
            M.MSG_HEADER_ROW_FORMAT.format(name=name, format=det.format),
            details={"name": name, "format": det.format},
        )
    if det.format in ("json", "ndjson"):
        return JsonReader(path, name, limits, det)
    return ParquetReader(path, name, limits)
