"""CLI of record linkage: `datanuri linkage salt|tokenize|match`. Runs locally: no server needed.

`tokenize` runs at a data holder: it keys the identifiers with the project's salt and writes only
keys and the attributes the holder chose to contribute; `match` links keyed files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import typer
from rich.table import Table

from datanuri.cli.common import JSON_OPTION, console, print_json
from datanuri.errors import InvalidInput

app = typer.Typer(
    help="Privacy-preserving record linkage: linkage keys made at each holder, and matching.",
    no_args_is_help=True,
)


def _split(values: list[str] | None) -> tuple[str, ...]:
    """Options given repeated or comma-separated, as one tuple."""
    out: list[str] = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    return tuple(out)


@app.command("salt")
def salt_cmd(
    path: Path = typer.Argument(..., help="Where to write the new salt file (never overwritten)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Make a project salt (the key authority's step): 32 random bytes, mode 0600."""
    from datanuri.linkage.keys import write_salt_file

    fp = write_salt_file(path)
    if as_json:
        print_json({"salt_file": str(path), "fingerprint": fp})
    else:
        console.print(f"Salt written to {path} (fingerprint {fp}). Give it only to the holders.")


@app.command("tokenize")
def tokenize_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The holder's table file."),
    salt_file: Path = typer.Option(
        ..., "--salt-file", exists=True, dir_okay=False, help="The project's salt file."
    ),
    id_columns: list[str] = typer.Option(
        None,
        "--id-columns",
        help="Identifiers to key, [NAME=]COLUMN[:KIND], comma-separated; KIND is name, date, "
        "phone, rrn or text (detected if left out). Writes lk_NAME (NAME defaults to the kind).",
    ),
    clk_columns: list[str] = typer.Option(
        None,
        "--clk-columns",
        help="Fields hashed into one Bloom-filter encoding (column clk) for fuzzy matching, "
        "[NAME=]COLUMN[:KIND], e.g. name,birth=생년월일:date,address=주소.",
    ),
    keep: list[str] = typer.Option(
        None, "--keep", help="Attribute columns to contribute as they are, comma-separated."
    ),
    allow_unique: list[str] = typer.Option(
        None,
        "--allow-unique",
        help="Kept columns of near-unique values that identify nobody (an amount): let through "
        "the check that refuses record keys. Names, numbers and addresses are always refused.",
    ),
    hardening: str = typer.Option(
        "balance", "--hardening", help="CLK hardening: balance, xor_fold or none."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Output file: .parquet or .csv."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Key a file's identifiers with the project salt; refuses to write any raw identifier."""
    from datanuri.linkage import messages as M
    from datanuri.linkage.clk import ClkOptions
    from datanuri.linkage.keys import read_salt_file
    from datanuri.linkage.tokenize import TokenizeOptions, tokenize_file

    if hardening not in ("balance", "xor_fold", "none"):
        raise InvalidInput(M.MSG_BAD_HARDENING.format(hardening=hardening))
    options = TokenizeOptions(
        id_columns=_split(id_columns),
        clk_columns=_split(clk_columns),
        keep=_split(keep),
        allow_unique=_split(allow_unique),
        clk=ClkOptions(hardening=hardening),  # type: ignore[arg-type]  # checked above
    )
    with console.status("Keying identifiers…"):
        result = tokenize_file(file, output, read_salt_file(salt_file), options)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"[green]Wrote[/] {result.rows} rows to {result.output}: keys "
        f"{', '.join(result.keys) or '-'}{', clk' if result.clk else ''}; "
        f"kept {', '.join(result.kept) or 'nothing'}."
    )


def _fields(items: tuple[str, ...]) -> tuple[object, ...]:
    from typing import get_args

    from datanuri.linkage import messages as M
    from datanuri.linkage.match import Comparison, ProbField
    from datanuri.linkage.normalise import KINDS

    out = []
    comparisons = get_args(Comparison)
    for item in items:
        parts = item.split(":")
        block = parts[-1] == "block"
        parts = parts[:-1] if block else parts
        kind = parts[1] if len(parts) > 1 else "text"
        comparison = parts[2] if len(parts) > 2 else "jaro_winkler"
        if len(parts) > 3 or kind not in KINDS or comparison not in comparisons:
            raise InvalidInput(
                M.MSG_BAD_FIELD.format(
                    field=item, kinds=", ".join(KINDS), comparisons=", ".join(comparisons)
                )
            )
        out.append(ProbField(parts[0], kind, comparison, block))  # type: ignore[arg-type]
    return tuple(out)


def _print_report(report: object) -> None:
    from datanuri.linkage.match import LinkageReport

    assert isinstance(report, LinkageReport)
    t = Table(title=f"Linkage ({report.method})")
    for col in ("left", "right", "left rows", "right rows", "candidates", "matches"):
        t.add_column(col)
    for p in report.pairs:
        t.add_row(
            p.left, p.right, str(p.left_rows), str(p.right_rows), str(p.candidates), str(p.matches)
        )
    console.print(t)
    if report.threshold is not None:
        console.print(f"Threshold: {report.threshold:.3f}")
    if report.precision is not None and report.recall is not None:
        console.print(
            f"Estimated precision {report.precision:.4f}, recall {report.recall:.4f} "
            "(from the scores, without the truth)"
        )
    if report.histogram:
        h = report.histogram
        top = max(h.counts) or 1
        for lo, count in zip(h.edges, h.counts, strict=False):
            mark = (
                "  <- threshold"
                if report.threshold is not None
                and lo <= report.threshold < lo + (h.edges[1] - h.edges[0])
                else ""
            )
            console.print(f"  {lo:4.2f} {'#' * max(0, round(40 * count / top)):<40} {count}{mark}")
    if report.weights:
        w = Table(title="Match weights (Fellegi–Sunter, log2 m/u)")
        for col in ("field", "level", "m", "u", "weight"):
            w.add_column(col)
        for lw in report.weights:
            w.add_row(
                lw.field,
                lw.level,
                "-" if lw.m is None else f"{lw.m:.4f}",
                "-" if lw.u is None else f"{lw.u:.4f}",
                "-" if lw.weight is None else f"{lw.weight:+.2f}",
            )
        console.print(w)
    if report.unmatched:
        g = Table(title="Unmatched by group")
        for col in ("file", "column", "group", "rows", "unmatched", "rate"):
            g.add_column(col)
        for r in report.unmatched:
            g.add_row(r.source, r.column, r.group, str(r.rows), str(r.unmatched), f"{r.rate:.3f}")
        console.print(g)


@app.command("match")
def match_cmd(
    files: list[Path] = typer.Argument(..., help="Two or more keyed files (Parquet or CSV)."),
    method: str = typer.Option(
        "exact",
        "--method",
        help="exact (equal lk_* keys), rules (--rule), clk (Dice of Bloom filters) or "
        "probabilistic (Fellegi–Sunter on --field columns).",
    ),
    keys: list[str] = typer.Option(
        None, "--keys", help="exact: the lk_* columns that must all agree (default: all shared)."
    ),
    rules: list[str] = typer.Option(
        None,
        "--rule",
        help="rules: keys that must all agree, joined by +; repeat for OR, e.g. "
        "--rule lk_name+lk_date --rule lk_phone.",
    ),
    fields: list[str] = typer.Option(
        None,
        "--field",
        help="probabilistic: COLUMN[:KIND[:COMPARISON]][:block], comparison jaro_winkler, "
        "levenshtein or exact; :block also makes candidates from exact agreement.",
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", help="clk: fixed Dice threshold; probabilistic: match probability."
    ),
    group_by: list[str] = typer.Option(
        None, "--group", help="Report the unmatched rate by these kept columns (linkage bias)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the matched pairs (.parquet or .csv)."
    ),
    report: bool = typer.Option(False, "--report", help="Print the full linkage report."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Link keyed files: every pair of the files named, with a linkage report."""
    from datanuri.linkage import messages as M
    from datanuri.linkage.match import ClkMatchOptions, LinkOptions, ProbOptions, link
    from datanuri.linkage.tokenize import read_table, write_table

    if len(files) < 2:
        raise InvalidInput(M.MSG_NEED_TWO)
    if method not in ("exact", "rules", "clk", "probabilistic"):
        raise InvalidInput(M.MSG_BAD_METHOD.format(method=method))
    tables = [(f.name, read_table(f)) for f in files]
    key_cols = _split(keys)
    if method == "exact" and not key_cols:
        shared = set.intersection(
            *({c for c in t.column_names if c.startswith("lk_")} for _, t in tables)
        )
        if not shared:
            raise InvalidInput(M.MSG_NO_KEYS)
        key_cols = tuple(sorted(shared))
    options = LinkOptions(
        method=method,  # type: ignore[arg-type]  # checked above
        keys=key_cols,
        rules=tuple(tuple(r.split("+")) for r in _split(rules)),
        clk=ClkMatchOptions(threshold=threshold),
        fields=_fields(_split(fields)),  # type: ignore[arg-type]
        probabilistic=ProbOptions(threshold=0.5 if threshold is None else threshold),
        group_by=_split(group_by),
    )
    with console.status("Matching…"):
        pairs, result = link(tables, options)
    if output is not None:
        parts = []
        for (ln, rn), p in pairs.items():
            t = p.to_arrow()
            parts.append(
                t.add_column(
                    0, "left_file", pa.repeat(pa.scalar(ln, pa.string()), len(p))
                ).add_column(2, "right_file", pa.repeat(pa.scalar(rn, pa.string()), len(p)))
            )
        write_table(pa.concat_tables(parts, promote_options="default"), output)
    if as_json:
        print_json({"report": result.to_dict(), "matches": sum(len(p) for p in pairs.values())})
        return
    if report:
        _print_report(result)
    else:
        for count in result.pairs:
            console.print(f"{count.left} ↔ {count.right}: {count.matches} matches")
