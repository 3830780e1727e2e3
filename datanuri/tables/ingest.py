"""The ingestion pipeline: detect → read strings → infer → convert and write → profile.

CSV/TSV first try an optimistic single pass: the first batch fixes each column's type, every
batch is converted and written at once, and each later batch is checked against exactly what
whole-file inference would conclude (see `_single_pass`). When a later batch contradicts the
first, or type problems would have to be reported, the file is read again the two-pass way:
pass 1 streams string batches, narrows every column's type candidates over the whole file and
spools the batches to an uncompressed Arrow IPC file beside the output (so CP949 is
transcoded and XLSX parsed once); pass 2 converts and writes. Both paths write the same zstd
Parquet, in fixed-size row groups. Reading runs ahead in a thread and Parquet encoding behind
in another. Row problems are placed on physical lines only when there are some.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datanuri.errors import IngestError
from datanuri.tables import convert as C
from datanuri.tables import messages as M
from datanuri.tables.coverage import table_coverage
from datanuri.tables.detect import detect
from datanuri.tables.infer import ColumnInference, field_type
from datanuri.tables.model import IngestResult, Layout, Limits, Problem, RowOutcome
from datanuri.tables.profile import profile_parquet
from datanuri.tables.readers import CsvReader, Reader, open_reader
from datanuri.tables.roles import apply_roles, column_role, digit_codes
from datanuri.tables.schema import table_schema

MAX_PROBLEMS = 1000
ROW_GROUP_BATCHES = 16
PASS1_SHARE = 0.8
SINGLE_PASS = True  # try the optimistic single pass first (CSV/TSV); False forces two passes
Progress = Callable[[int, int], None]
# Per column: (candidate to convert with or None for text, candidate whose failures are problems).
Plan = list[tuple[str | None, str | None]]
DEFAULT_LIMITS = Limits()


def ingest(
    source: Path,
    out_path: Path,
    *,
    filename: str | None = None,
    format: Literal["auto", "csv", "tsv", "xlsx", "json", "ndjson", "parquet"] = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    mode: Literal["strict", "lenient"] = "lenient",
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    header_row: int | None = None,
    skip_rows: int | None = None,
    keep_totals: bool = False,
) -> IngestResult:
    """Read a table file into canonical zstd Parquet at `out_path`, with schema, profile and problems.

    CSV and XLSX: the header row is detected under title and unit rows (`tables.layout`)
    unless `header_row` (1-based, counting title rows) or `skip_rows` names it; total rows
    (합계, 소계, ...) are left out and reported unless `keep_totals`."""
    source, out_path = Path(source), Path(out_path)
    layout = Layout.of(header_row, skip_rows, keep_totals)
    name = filename or source.name
    det = detect(source, name, format=format, encoding=encoding, delimiter=delimiter)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    spool = out_path.with_name(f".{out_path.name}.{os.getpid()}.spool")
    try:
        for attempt in range(2):
            try:
                reader = open_reader(source, name, det, limits, sheet, layout)
                _check_width(reader, name, limits)
                reopen = partial(open_reader, source, name, det, limits, sheet, layout)
                result = _run(reader, det, name, tmp, spool, mode, limits, progress, reopen)
                break
            except IngestError as e:
                # a UTF-8 guess from the first megabyte can be wrong further down: retry as CP949
                retry = (
                    attempt == 0
                    and encoding is None
                    and det.encoding == "utf-8"
                    and isinstance(e.details, dict)
                    and e.details.get("encoding") == "utf-8"
                )
                if not retry:
                    raise
                det = type(det)(det.format, "cp949", det.delimiter)
        os.replace(tmp, out_path)
        return result
    finally:
        for p in (tmp, spool):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _run(
    reader: Reader,
    det,
    name: str,
    tmp: Path,
    spool: Path,
    mode: str,
    limits: Limits,
    progress: Progress | None,
    reopen: Callable[[], Reader] | None = None,
) -> IngestResult:
    total = max(reader.size, 1)
    report = _monotonic(progress or (lambda done, tot: None))
    report(0, total)
    fast = None
    if not reader.typed and isinstance(reader, CsvReader) and reopen is not None and SINGLE_PASS:
        fast = _single_pass(reader, name, tmp, limits, report, total)
        if fast is None:  # a later batch contradicted the first one's types: infer over the file
            reader = reopen()
    if fast is not None:
        plan, offset, written_schema = fast
        problems_rows: list[tuple[int, str, str, str, bool]] = []
        type_problem_count = (0, 0)
    else:
        plan, offset, written_schema, problems_rows, type_problem_count = _two_pass(
            reader, name, tmp, spool, limits, report, total
        )
    return _finish(
        reader,
        det,
        name,
        tmp,
        mode,
        plan,
        offset,
        written_schema,
        problems_rows,
        type_problem_count,
        report,
        total,
    )


def _check_width(reader: Reader, name: str, limits: Limits) -> None:
    """Refuse a table wider than the limit from its header, before reading any row."""
    if len(reader.columns) > limits.max_columns:
        raise IngestError(
            M.MSG_TOO_MANY_COLUMNS.format(
                name=name, columns=len(reader.columns), limit=limits.max_columns
            ),
            details={"name": name, "columns": len(reader.columns), "limit": limits.max_columns},
        )


def _monotonic(report: Progress) -> Progress:
    """A progress callback that never goes backwards (the fallback re-reads the file)."""
    high = [-1]

    def call(done: int, total: int) -> None:
        if done >= high[0]:
            high[0] = done
            report(done, total)

    return call


def _strings(batch: pa.RecordBatch, reader: Reader, name: str, limits: Limits) -> list[pa.Array]:
    """A string batch's columns with null tokens as nulls, refusing cells over the size limit."""
    cols = (
        batch.columns
        if getattr(reader, "map_nulls", False)
        else [C.nullify_tokens(col) for col in batch.columns]
    )
    for i, col in enumerate(cols):
        data = col.buffers()[2] if col.type in (pa.string(), pa.binary()) else None
        if data is not None and data.size <= limits.max_cell_bytes:
            continue  # all the column's bytes fit the limit, so every cell does
        if len(col) and (pc.max(pc.binary_length(col)).as_py() or 0) > limits.max_cell_bytes:
            raise IngestError(
                M.MSG_CELL_TOO_LARGE.format(
                    name=name,
                    limit=limits.max_cell_bytes,
                    where=f" in column {reader.columns[i]!r}",
                ),
                details={"name": name, "limit": limits.max_cell_bytes},
            )
    return cols


class _Prefetch:
    """Runs an iterator in a background thread, `depth` items ahead (Arrow releases the GIL while
    it parses, so reading overlaps conversion on another core). Errors surface in the consumer."""

    _END = object()

    def __init__(self, it: Iterator, depth: int = 2) -> None:
        self.q: queue.Queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.it = it
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self) -> None:
        try:
            for item in self.it:
                if not self._put((True, item)):
                    return
            self._put((True, self._END))
        except BaseException as e:  # handed to the consumer
            self._put((False, e))
        finally:
            close = getattr(self.it, "close", None)
            if close is not None:
                close()

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator:
        while True:
            ok, item = self.q.get()
            if not ok:
                self.close()
                raise item
            if item is self._END:
                self.t.join()
                return
            yield item

    def close(self) -> None:
        self.stop.set()
        self.t.join()


class _RowGroups:
    """Writes batches as zstd Parquet in row groups of exactly `rg_rows` rows (the last one shorter).

    The Parquet encoding and compression run in a background thread (they release the GIL), at
    most `depth` batches behind the producer."""

    def __init__(self, path: Path, rg_rows: int, depth: int = 4) -> None:
        self.path, self.rg_rows = path, rg_rows
        self.pw: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.buf: list[pa.RecordBatch] = []
        self.buffered = 0
        self.rows = 0
        self.q: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.t: threading.Thread | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if self.schema is None:
            self.schema = batch.schema
        if self.t is None:
            self.t = threading.Thread(target=self._run, daemon=True)
            self.t.start()
        self.rows += batch.num_rows
        self._check()
        self.q.put(batch)

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while True:
            batch = self.q.get()
            if batch is None:
                return
            if self.error is not None:
                continue  # drain after a failure
            try:
                self._write(batch)
            except BaseException as e:
                self.error = e

    def _write(self, batch: pa.RecordBatch) -> None:
        if self.pw is None:
            self.pw = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        self.buf.append(batch)
        self.buffered += batch.num_rows
        while self.buffered >= self.rg_rows:
            t = pa.Table.from_batches(self.buf)
            self.pw.write_table(t.slice(0, self.rg_rows), row_group_size=self.rg_rows)
            rest = t.slice(self.rg_rows)
            self.buf, self.buffered = rest.to_batches(), rest.num_rows

    def _join(self) -> None:
        if self.t is not None:
            self.q.put(None)
            self.t.join()
            self.t = None

    def close(self, empty_schema: Callable[[], pa.Schema]) -> pa.Schema:
        self._join()
        self._check()
        if self.schema is None:  # no rows at all: write the header's columns
            self.schema = empty_schema()
        if self.pw is None:
            self.pw = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        if self.buffered:
            self.pw.write_table(
                pa.Table.from_batches(self.buf, schema=self.schema), row_group_size=self.rg_rows
            )
        self.pw.close()
        self.buf, self.buffered = [], 0
        return self.schema

    def abort(self) -> None:
        self._join()
        if self.pw is not None:
            self.pw.close()


def _planned(reader: Reader, plan: Plan | None) -> list[tuple[str, tuple[str | None, str | None]]]:
    """Each column with its plan; none for a typed reader (its file carries its own types)."""
    return [] if plan is None else list(zip(reader.columns, plan, strict=True))


def _empty_schema(reader: Reader, plan: Plan | None) -> Callable[[], pa.Schema]:
    return lambda: pa.schema(
        [(c, C.ARROW_TYPES[field_type(cand)[0]]) for c, (cand, _) in _planned(reader, plan)]
    )


def _single_pass(
    reader: Reader, name: str, tmp: Path, limits: Limits, report: Progress, total: int
):
    """Optimistic single pass: types from the first batch, converted and written at once.

    Each later batch is checked against the first batch's types exactly as whole-file inference
    would (no failure at all for a typed column, no zero-padded code for numbers, one boolean
    vocabulary; text columns keep full inference). Returns (plan, rows, schema), or None as
    soon as a later batch shows whole-file inference could decide differently, or when it
    would report type problems; the caller then runs the two-pass path, whose output the
    single pass reproduces byte for byte whenever it succeeds.
    """
    infer = [ColumnInference(c) for c in reader.columns]
    guess: list[str | None] | None = None
    out = _RowGroups(tmp, max(1, limits.batch_rows) * ROW_GROUP_BATCHES)
    ok = False
    batches = _Prefetch(reader.batches())
    try:
        for batch in batches:
            cols = _strings(batch, reader, name, limits)
            if guess is None:
                for ci, col in zip(infer, cols, strict=True):
                    ci.update(col)
                guess = [ci.result()[0] for ci in infer]
                conv = [C.convert(col, g) for col, g in zip(cols, guess, strict=True)]
            else:
                conv = []
                for ci, col, g in zip(infer, cols, guess, strict=True):
                    if g is None:
                        ci.update(col)
                        conv.append(col)
                        continue
                    parsed = C.convert(col, g)
                    if not _still_clean(ci, col, g, parsed):
                        return None
                    conv.append(parsed)
            out.write(pa.RecordBatch.from_arrays(conv, names=reader.columns))
            report(int(reader.position * PASS1_SHARE), total)
        plan = [ci.result() for ci in infer]
        if guess is not None and any(p != (g, None) for p, g in zip(plan, guess, strict=True)):
            return None
        schema = out.close(_empty_schema(reader, plan))
        ok = True
        return plan, out.rows, schema
    finally:
        batches.close()
        if not ok:
            out.abort()


def _still_clean(ci: ColumnInference, a: pa.Array, cand: str, parsed: pa.Array) -> bool:
    """Whether a batch leaves `cand` as the column's whole-file type (given it was after batch 1)."""
    n = len(a) - a.null_count
    if n == 0:
        return True
    if n != len(parsed) - parsed.null_count:
        return False
    if cand in ("integer", "number") and C.has_leading_zero(a):
        return False
    if cand == "boolean":  # the vocabulary rules need the words seen: full inference (cheap here)
        ci.update(a)
        return ci.alive.get("boolean") == 0
    ci.nonnull += n
    return True


def _two_pass(
    reader: Reader, name: str, tmp: Path, spool: Path, limits: Limits, report: Progress, total: int
):
    """Infer over the whole file while spooling strings (pass 1), then convert and write (pass 2)."""
    infer = [ColumnInference(c) for c in reader.columns]
    rows = 0
    if reader.typed:
        batches_iter = reader.batches()
        plan = None
    else:
        sink = pa.OSFile(str(spool), "wb")
        writer = None
        pre = _Prefetch(reader.batches())
        try:
            for batch in pre:
                cols = _strings(batch, reader, name, limits)
                for ci, col in zip(infer, cols, strict=True):
                    ci.update(col)
                out = pa.RecordBatch.from_arrays(cols, names=reader.columns)
                if writer is None:
                    writer = pa.ipc.new_stream(sink, out.schema)
                writer.write_batch(out)
                rows += out.num_rows
                report(int(reader.position * PASS1_SHARE), total)
        finally:
            pre.close()
        if writer is not None:
            writer.close()
        sink.close()
        plan = [ci.result() for ci in infer]
        batches_iter = _read_spool(spool)

    # (row, column, value, candidate, made null: the column kept the candidate's type)
    problems_rows: list[tuple[int, str, str, str, bool]] = []
    as_text = as_null = 0
    mixed = [(i, cand, conv is not None) for i, (conv, cand) in enumerate(plan or []) if cand]
    out = _RowGroups(tmp, max(1, limits.batch_rows) * ROW_GROUP_BATCHES)
    offset = 0
    try:
        for batch in batches_iter:
            if plan is not None:
                cols = [
                    C.convert(col, cand) for col, (cand, _) in zip(batch.columns, plan, strict=True)
                ]
                for i, cand, nulled in mixed:
                    src = batch.column(i)
                    bad = C.failures(src, cols[i] if nulled else C.convert(src, cand))
                    nbad = pc.sum(bad).as_py() or 0
                    if nbad:
                        if nulled:
                            as_null += nbad
                        else:
                            as_text += nbad
                        if len(problems_rows) < MAX_PROBLEMS:
                            idx = np.flatnonzero(bad.to_numpy(zero_copy_only=False))[
                                : MAX_PROBLEMS - len(problems_rows)
                            ]
                            vals = src.take(pa.array(idx)).to_pylist()
                            problems_rows += [
                                (offset + int(j), reader.columns[i], v, cand, nulled)
                                for j, v in zip(idx, vals, strict=True)
                            ]
                batch = pa.RecordBatch.from_arrays(cols, names=reader.columns)
            else:
                rows += batch.num_rows
            out.write(batch)
            offset += batch.num_rows
            if plan is not None:
                report(
                    int(total * (PASS1_SHARE + (1 - PASS1_SHARE) * offset / max(rows, 1))), total
                )
    except BaseException:
        out.abort()
        raise
    written_schema = out.close(_empty_schema(reader, plan))
    return plan, offset, written_schema, problems_rows, (as_text, as_null)


def _finish(
    reader: Reader,
    det,
    name: str,
    tmp: Path,
    mode: str,
    plan: Plan | None,
    offset: int,
    written_schema: pa.Schema,
    problems_rows: list[tuple[int, str, str, str, bool]],
    type_problem_count: tuple[int, int],
    report: Progress,
    total: int,
) -> IngestResult:
    """Problems, strict mode, schema and profile of the written file."""
    as_text, as_null = type_problem_count
    problems, problem_count = _problems(reader, problems_rows, as_text + as_null)
    outcome = RowOutcome(
        dropped_rows=reader.skipped_count,
        total_rows=reader.total_rows,
        kept_as_text=as_text,
        kept_as_null=as_null,
        header_lines=reader.header_lines,
    )
    if mode == "strict" and problem_count:
        first = problems[0] if problems else None
        raise IngestError(
            M.MSG_ROW_PROBLEMS_STRICT.format(
                count=problem_count,
                name=name,
                line=first.line if first else "?",
                first=first.message if first else "",
            ),
            details={"problem_count": problem_count, "problems": [p.__dict__ for p in problems]},
        )

    source_formats = {}
    types = {}
    for c, (cand, _) in _planned(reader, plan):
        ftype, fmt = field_type(cand)
        types[c] = ftype
        if fmt:
            source_formats[c] = fmt
    schema = table_schema(
        written_schema,
        source_formats=source_formats,
        titles=dict(
            zip(reader.columns, getattr(reader, "raw_columns", reader.columns), strict=True)
        ),
    )
    profile = profile_parquet(tmp)
    schema, profile = apply_roles(schema, profile, _roles(tmp, profile))
    profile["coverage"] = table_coverage(tmp).to_profile()  # the regions its columns name
    report(total, total)
    return IngestResult(
        rows=offset,
        columns=list(reader.columns),
        schema=schema,
        profile=profile,
        problems=problems,
        problem_count=problem_count,
        format=det.format,
        encoding=det.encoding if det.format not in ("xlsx", "parquet") else None,
        delimiter=det.delimiter if det.format in ("csv", "tsv") else None,
        sheet=reader.sheet,
        outcome=outcome,
    )


def _roles(path: Path, profile: dict) -> dict[str, str]:
    """The identifier and code columns (`tables.roles`), from the profile and, for text columns
    whose least and greatest values are digit strings of one width, their values."""
    roles = {}
    for col in profile.get("columns", []):
        stats = dict(col)
        lo, hi = col.get("min"), col.get("max")
        if (
            col.get("type") == "string"
            and isinstance(lo, str)
            and isinstance(hi, str)
            and lo.isdigit()
            and hi.isdigit()
            and len(lo) == len(hi)
        ):
            with pq.ParquetFile(path) as pf:  # a batch at a time, never the column whole
                batches = pf.iter_batches(columns=[col["name"]])
                stats["digit_codes"] = digit_codes(b.column(0) for b in batches)
        role = column_role(col["name"], stats)
        if role:
            roles[col["name"]] = role
    return roles


def _read_spool(path: Path):
    """Batches back from the spool file (plain reads, not memory-mapped, to keep RSS bounded)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with pa.OSFile(str(path), "rb") as f:
        yield from pa.ipc.open_stream(f)


def _problems(
    reader: Reader, rows: list[tuple[int, str, str, str, bool]], type_count: int
) -> tuple[list[Problem], int]:
    """Place the first problems on lines, ordered by line."""
    count = reader.skipped_count + type_count
    if not count:
        return [], 0
    idx = np.array(sorted({r for r, *_ in rows}), dtype=np.int64)
    lines, skipped = reader.locate(idx, MAX_PROBLEMS)
    out = list(skipped)
    for r, col, val, cand, nulled in rows:
        line = lines.get(r)
        ftype = field_type(cand)[0]
        kw = {
            "line": line,
            "value": val,
            "column": col,
            "article": "an" if ftype[0] in "aeiou" else "a",
            "type": ftype,
        }
        out.append(
            Problem(
                line,
                col,
                "missing_value" if nulled else "type",
                (M.PROB_TYPE_NULL if nulled else M.PROB_TYPE).format(**kw),
                val,
            )
        )
    out.sort(key=lambda p: p.line if p.line is not None else 1 << 62)
    return out[:MAX_PROBLEMS], count
