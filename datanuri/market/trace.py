"""Tracing a leaked copy to its buyer: read the file, gather the candidates, call `detect`.

The file is read by the catalog's own readers (`datanuri.tables`): CSV/TSV in UTF-8 or CP949
(detected) arrive as text columns, Parquet as typed ones; `fingerprint.detect` accepts either.

Candidates come from a `CandidateSource`: a list of buyer ids (`BuyerList`), from a file or,
in `deliveries.Deliveries.trace`, everyone who was delivered a fingerprinted copy of the
dataset (it records each download that carries a recipient's marks).

The dataset's fingerprint secret is derived from a key the holder keeps in the key store
(`datanuri.privacy.keys.KeyStore`, the pseudonymisation keys' store), by default the key named
``fingerprint`` of the dataset's organisation, created with
``datanuri privacy keys create ORG fingerprint`` (recorded in the ledger like every key).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from datanuri.errors import IngestError, InvalidInput
from datanuri.market import fingerprint_messages as M
from datanuri.market.fingerprint import ALPHA, Detection, Scheme, dataset_key, detect
from datanuri.tables.detect import detect as detect_format
from datanuri.tables.model import Limits
from datanuri.tables.readers import open_reader

DEFAULT_KEY = "fingerprint"
FORMATS = ("csv", "tsv", "parquet")


class CandidateSource(Protocol):
    """Who may have received copies of a dataset (the market's orders, later)."""

    def candidates(self, dataset: str) -> list[str]: ...


@dataclass(frozen=True)
class BuyerList:
    """Candidates given as a fixed list of buyer ids (the same for every dataset)."""

    buyers: tuple[str, ...]

    def candidates(self, dataset: str) -> list[str]:
        return list(self.buyers)

    @classmethod
    def read(cls, path: Path) -> BuyerList:
        """Buyer ids from a file: a JSON list of strings, or one id per line (# comments)."""
        try:
            text = path.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(M.MSG_BAD_BUYERS.format(path=path, detail=exc)) from None
        if text.lstrip().startswith("["):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise InvalidInput(M.MSG_BAD_BUYERS.format(path=path, detail=exc)) from None
            if not all(isinstance(b, str) and b.strip() for b in data):
                raise InvalidInput(
                    M.MSG_BAD_BUYERS.format(path=path, detail="every id is a non-empty string")
                )
            ids = [b.strip() for b in data]
        else:
            ids = [ln.strip() for ln in text.splitlines()]
            ids = [b for b in ids if b and not b.startswith("#")]
        return cls(tuple(dict.fromkeys(ids)))


def read_scheme(path: Path) -> Scheme:
    """A fingerprint scheme from its JSON file (`Scheme.to_dict`)."""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(M.MSG_SCHEME_BAD.format(detail=exc)) from None
    return Scheme.from_dict(data)


def read_copy(path: Path) -> pa.Table:
    """The table in a CSV/TSV (text columns) or Parquet (typed) file, read as the catalog reads."""
    try:
        det = detect_format(path, path.name)
    except IngestError:
        raise InvalidInput(M.MSG_NOT_A_TABLE.format(path=path)) from None
    if det.format not in FORMATS:
        raise InvalidInput(M.MSG_NOT_A_TABLE.format(path=path))
    reader = open_reader(path, path.name, det, Limits(), None)
    batches = list(reader.batches())
    if not batches:
        return pa.table({name: pa.array([], pa.string()) for name in reader.columns})
    table = pa.Table.from_batches(batches)
    return table.rename_columns(reader.columns)


def trace_file(
    path: Path,
    *,
    dataset: str,
    scheme: Scheme,
    key: bytes,
    candidates: CandidateSource,
    alpha: float = ALPHA,
) -> Detection:
    """Name the buyer whose copy of `dataset` the file `path` is (`key`: the holder's key-store
    key, from which the dataset's secret is derived)."""
    buyers: Sequence[str] = candidates.candidates(dataset)
    if not buyers:
        raise InvalidInput(M.MSG_NO_BUYERS)
    return detect(read_copy(path), scheme, dataset_key(key, dataset), buyers, alpha=alpha)
