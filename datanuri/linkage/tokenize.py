"""The holder's side of a linkage: read a file, key its identifiers, write keys and attributes.

`tokenize_table` is pure (table in, table out); `tokenize_file` reads any table file the catalogue
reads and writes Parquet or CSV by the output's extension. Both refuse an output that would still
hold a raw identifier: the kept columns go through the privacy engine's detection
(`privacy.detect`), and a column it finds to be a direct identifier stops the run, so raw
identifiers never leave the holder by this path.

Columns are named on the command line as ``[NAME=]COLUMN[:KIND]``: KIND is a normalisation
(name, date, phone, rrn, text; detected from the header and values when left out) and NAME the
key's name, the same at every holder (default: the kind, e.g. ``lk_name``, ``lk_phone``; for
``text``, the column's name), so holders whose columns are named differently get the same
``lk_*`` columns.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.linkage import clk as clk_mod
from datanuri.linkage import messages as M
from datanuri.linkage.keys import KEY_PREFIX, KeySpec, linkage_keys
from datanuri.linkage.normalise import DETECTED_KINDS, KINDS, Kind
from datanuri.privacy.detect import detect

CLK_COLUMN = "clk"
#: q-gram length and bits per q-gram of a CLK field, by kind (addresses are long: fewer bits).
CLK_DEFAULTS: dict[Kind, tuple[int, int]] = {
    "name": (2, 20),
    "date": (2, 20),
    "phone": (2, 20),
    "rrn": (2, 20),
    "text": (2, 10),
}


@dataclass(frozen=True)
class ColumnRef:
    """One identifier column as named on the command line: key name, column and kind."""

    name: str
    column: str
    kind: Kind


@dataclass(frozen=True)
class TokenizeOptions:
    """What to key: identifier columns, CLK columns, the attributes kept, the CLK settings."""

    id_columns: tuple[str, ...] = ()
    clk_columns: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    allow_unique: tuple[str, ...] = ()  # kept columns of near-unique values that identify nobody
    clk: clk_mod.ClkOptions = field(default_factory=clk_mod.ClkOptions)


@dataclass(frozen=True)
class TokenizeResult:
    """What a tokenize run wrote: rows, key columns, whether CLKs were made, kept columns."""

    rows: int
    keys: tuple[str, ...]
    clk: bool
    kept: tuple[str, ...]
    output: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "keys": list(self.keys),
            "clk": self.clk,
            "kept": list(self.kept),
            "output": self.output,
        }


def _safe_name(column: str) -> str:
    return re.sub(r"\W+", "_", column.strip().lower(), flags=re.UNICODE).strip("_") or "key"


def parse_refs(table: pa.Table, items: Sequence[str]) -> list[ColumnRef]:
    """``[NAME=]COLUMN[:KIND]`` items as column references, kinds detected where not given."""
    refs: list[ColumnRef] = []
    for item in items:
        name, _, rest = item.rpartition("=") if "=" in item else ("", "", item)
        column, _, kind_text = rest.partition(":") if ":" in rest else (rest, "", "")
        column = column.strip()
        if column not in table.column_names:
            raise InvalidInput(
                M.MSG_NO_COLUMN.format(column=column, columns=", ".join(table.column_names))
            )
        if kind_text and kind_text not in KINDS:
            raise InvalidInput(M.MSG_BAD_KIND.format(kind=kind_text, kinds=", ".join(KINDS)))
        kind: Kind
        if kind_text:
            kind = kind_text  # type: ignore[assignment]  # checked against KINDS above
        else:
            found = detect(table.select([column])).columns[0]
            kind = DETECTED_KINDS.get(found.kind, "text")
        key = name.strip() or (kind if kind != "text" else _safe_name(column))
        refs.append(ColumnRef(_safe_name(key), column, kind))
    names = [r.name for r in refs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidInput(M.MSG_DUPLICATE_KEY.format(names=", ".join(dup)))
    return refs


def check_no_identifiers(table: pa.Table, *, allow_unique: Sequence[str] = ()) -> None:
    """Refuse a table whose non-key columns the privacy engine finds to be direct identifiers.

    Only a finding from distinctness alone (``record_key``: near-unique values, such as an
    amount) can be let through, by naming the column in ``allow_unique``; a column whose values
    are names, numbers or addresses never can."""
    plain = [c for c in table.column_names if not (c.startswith(KEY_PREFIX) or c == CLK_COLUMN)]
    if not plain:
        return
    found = [
        f
        for f in detect(table.select(plain)).columns
        if f.category == "direct" and not (f.kind == "record_key" and f.column in allow_unique)
    ]
    if found:
        raise InvalidInput(
            M.MSG_RAW_IDENTIFIER.format(columns=", ".join(f"{f.column} ({f.kind})" for f in found)),
            details={"columns": [f.to_dict() for f in found]},
        )


def tokenize_table(
    table: pa.Table, salt: bytes, options: TokenizeOptions, *, clk_as_text: bool = False
) -> pa.Table:
    """Keys (``lk_*``), the CLK (``clk``) and the kept attributes of ``table``'s rows."""
    if not options.id_columns and not options.clk_columns:
        raise InvalidInput(M.MSG_NOTHING_TO_KEY)
    refs = parse_refs(table, options.id_columns)
    clk_refs = parse_refs(table, options.clk_columns)
    identifying = {r.column for r in refs} | {r.column for r in clk_refs}
    missing = [c for c in options.keep if c not in table.column_names]
    if missing:
        raise InvalidInput(
            M.MSG_NO_COLUMN.format(column=missing[0], columns=", ".join(table.column_names))
        )
    kept_ids = [c for c in options.keep if c in identifying]
    if kept_ids:
        raise InvalidInput(M.MSG_KEEP_IDENTIFIER.format(columns=", ".join(kept_ids)))
    specs = [KeySpec(r.name, (r.column,), (r.kind,)) for r in refs]
    out = linkage_keys(table, specs, salt)
    if clk_refs:
        fields = [clk_mod.ClkField(r.column, r.kind, *CLK_DEFAULTS[r.kind]) for r in clk_refs]
        clks = clk_mod.encode(
            table, fields, salt, options.clk, field_names=[r.name for r in clk_refs]
        )
        out = out.append_column(CLK_COLUMN, clk_mod.to_arrow(clks, text=clk_as_text))
    for c in options.keep:
        if c in out.column_names:
            raise InvalidInput(M.MSG_DUPLICATE_KEY.format(names=c))
        out = out.append_column(c, table.column(c))
    check_no_identifiers(out, allow_unique=options.allow_unique)
    return out


def read_table(path: Path) -> pa.Table:
    """Any table file the catalogue reads (CSV, XLSX, JSON, Parquet) as an Arrow table."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from datanuri.tables import ingest

    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    with tempfile.TemporaryDirectory(prefix="datanuri-linkage-") as tmp:
        out = Path(tmp) / "in.parquet"
        ingest(path, out, filename=path.name)
        return pq.read_table(out)


def write_table(table: pa.Table, path: Path) -> None:
    """Write Parquet or CSV, by the extension."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        pq.write_table(table, path, compression="zstd")
    elif suffix == ".csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        raise InvalidInput(M.MSG_BAD_OUTPUT.format(path=path))


def tokenize_file(
    source: Path, output: Path, salt: bytes, options: TokenizeOptions
) -> TokenizeResult:
    """Key a holder's file and write the keys and kept attributes to ``output``."""
    if output.suffix.lower() not in (".parquet", ".csv"):
        raise InvalidInput(M.MSG_BAD_OUTPUT.format(path=output))
    table = read_table(source)
    out = tokenize_table(table, salt, options, clk_as_text=output.suffix.lower() == ".csv")
    write_table(out, output)
    return TokenizeResult(
        rows=out.num_rows,
        keys=tuple(c for c in out.column_names if c.startswith(KEY_PREFIX)),
        clk=CLK_COLUMN in out.column_names,
        kept=tuple(options.keep),
        output=str(output),
    )
