"""Detecting a file's format (magic bytes first, name second), text encoding and delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from datanuri.errors import MSG_BINARY_FILE, MSG_EMPTY_FILE, IngestError
from datanuri.tables import messages as M

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";", "|")
BINARY_FORMATS = ("xlsx", "parquet")


@dataclass(frozen=True)
class Detected:
    """What detection found: format and, for text formats, encoding and delimiter."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None


def read_head(path: Path, n: int = SAMPLE_BYTES) -> bytes:
    """The first `n` bytes of a file."""
    with open(path, "rb") as f:
        return f.read(n)


def magic_format(head: bytes, name: str) -> str | None:
    """The binary format named by the magic bytes, None for text; raises for known non-tables."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise IngestError(M.MSG_LEGACY_XLS.format(name=name), details={"name": name})
    for sig, kind in (
        (b"\x1f\x8b", "gzip"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
        (b"(\xb5/\xfd", "zstd"),
        (b"Rar!", "RAR"),
    ):
        if head.startswith(sig):
            raise IngestError(M.MSG_COMPRESSED.format(name=name, kind=kind), details={"name": name})
    return None


def detect_encoding(head: bytes, name: str, *, complete: bool) -> str:
    """BOM first, then strict UTF-8 on the sample, then CP949; raises if none fits."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 4 and b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.3 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > 0.3 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
        raise IngestError(MSG_BINARY_FILE.format(name=name), details={"name": name})
    for enc in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(enc)("strict").decode(head, final=complete)
            text = head.decode(enc, errors="ignore")
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return enc
    if _looks_binary(head.decode("latin-1")):
        raise IngestError(MSG_BINARY_FILE.format(name=name), details={"name": name})
    raise IngestError(M.MSG_UNKNOWN_ENCODING.format(name=name), details={"name": name})


def _looks_binary(text: str) -> bool:
    """True if the text has more than a few control characters (other than tab, CR, LF, FF)."""
    sample = text[:65536]
    if not sample:
        return False
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f") + sample.count("\ufffd")
    return ctrl > max(2, len(sample) // 1000)


def sniff_delimiter(text: str, hint: str | None = None) -> str:
    """The delimiter among , TAB ; | that splits the sample's lines most consistently."""
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut
    lines = [ln for ln in lines[:200] if ln.strip()]
    if not lines:
        return hint or ","
    best, best_score = None, (0.0, 0, 0)
    for d in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=d))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        same = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (round(same, 2), 1 if d == hint else 0, width)
        if score > best_score:
            best, best_score = d, score
    return best or hint or ","


def detect(
    path: Path,
    name: str,
    *,
    format: str = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Detected:
    """Find the format, encoding and delimiter of `path`; raises IngestError for non-tables."""
    size = path.stat().st_size
    head = read_head(path)
    if size == 0 or not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError(MSG_EMPTY_FILE.format(name=name), details={"name": name})
    actual = magic_format(head, name)
    lname = name.lower()
    if actual == "xlsx":
        actual = _zip_kind(path, name)
    if actual is not None:
        if format not in ("auto", actual):
            raise IngestError(
                M.MSG_FORMAT_MISMATCH.format(name=name, asked=format, actual=actual),
                details={"name": name, "asked": format, "actual": actual},
            )
        return Detected(actual)
    if format in BINARY_FORMATS:
        raise IngestError(
            M.MSG_FORMAT_MISMATCH.format(name=name, asked=format, actual="text"),
            details={"name": name, "asked": format, "actual": "text"},
        )
    if format == "auto":
        _check_name_fits_text(name)
    enc = encoding or detect_encoding(head, name, complete=size <= len(head))
    try:
        text = (
            head.decode(enc, errors="ignore")
            if encoding
            else codecs.getincrementaldecoder(enc)().decode(head)
        )
    except LookupError:
        raise IngestError(
            f"Unknown encoding {encoding!r}. Use e.g. 'utf-8', 'cp949' or 'utf-16'."
        ) from None
    text = text.lstrip("\ufeff")
    if format in ("json", "ndjson"):
        return Detected(format, enc)
    if format == "auto":
        first = text.lstrip()[:1]
        if first == "[" or (
            first == "{" and lname.endswith(".json") and not _first_line_is_object(text)
        ):
            return Detected("json", enc)
        if first == "{":
            return Detected("ndjson", enc)
    hint = "\t" if (format == "tsv" or lname.endswith((".tsv", ".tab"))) else None
    delim = delimiter or sniff_delimiter(text, hint)
    return Detected("tsv" if delim == "\t" else "csv", enc, delim)


#: Names of table files (among them the content decides: a CSV saved as .xls is common); a text
#: file named otherwise (.pdf, .hwp, .docx, ...) is refused in auto mode, as its name says it is
#: something else (an explicit format overrides).
TABLE_SUFFIXES = frozenset(
    {".csv", ".tsv", ".tab", ".txt", ".json", ".ndjson", ".jsonl", ".xlsx", ".xls", ".parquet"}
)
_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}$")


def _check_name_fits_text(name: str) -> None:
    m = _SUFFIX.search(name)
    if m is not None and m.group().lower() not in TABLE_SUFFIXES:
        raise IngestError(
            M.MSG_NAME_CONTRADICTS.format(name=name, suffix=m.group().lower()),
            details={"name": name, "suffix": m.group().lower()},
        )


def _first_line_is_object(text: str) -> bool:
    """True if the first line alone is a complete JSON object (so the file is NDJSON)."""
    import json

    try:
        return isinstance(json.loads(text.lstrip().split("\n", 1)[0]), dict)
    except ValueError:
        return False


def _zip_kind(path: Path, name: str) -> str:
    """'xlsx' for an Excel workbook; raises for a cut-off zip or a zip that is not a workbook."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise IngestError(
            M.MSG_TRUNCATED.format(name=name, kind="an Excel workbook (ZIP)", detail=str(e)),
            details={"name": name},
        ) from None
    if "xl/workbook.xml" not in names and not any(n.startswith("xl/") for n in names):
        raise IngestError(M.MSG_NOT_SPREADSHEET_ZIP.format(name=name), details={"name": name})
    return "xlsx"
