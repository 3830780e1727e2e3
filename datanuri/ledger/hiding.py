"""What the public ledger says about hidden datasets (personal, `metadata_public: false`).

The ledger is public, but such a dataset answers "not found" to the public, so the ledger must
not name it either. Its name is replaced by a keyed commitment: `~` and the first 128 bits of
HMAC-SHA256(k, "dataset:" + name), where k is derived from the log's private signing key. The
same name always gives the same commitment (a holder can find their entries, and the commitment
can later be opened by revealing the name to whoever holds k), but nobody without k can test
guessed names against it. `~` cannot start a dataset name, so a commitment never collides with
one.

- New entries store the commitment (`Ledger.record` rewrites the event before hashing it), so
  they verify offline like every other entry.
- Entries written before (or before the dataset was hidden) keep their bytes and hashes: the
  audit and inclusion proofs are untouched. Public views show them with the names replaced by
  commitments and `"redacted": true`; their leaf hash then cannot be recomputed from the shown
  entry, and the holder gets the full receipt from the dataset's own (access-checked) route.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

PREFIX = "~"
DATASET_FIELDS = ("dataset", "source_dataset")  # the event fields that name a dataset
_KEY_LABEL = b"datanuri hidden-dataset commitment v1\n"

E = TypeVar("E")


class HiddenFinder(Protocol):
    """Whether dataset `name` is hidden from the public (None: no such dataset)."""

    def __call__(self, s: Session, name: str, /) -> bool: ...


def commitment_key(signing_key_text: str) -> bytes:
    """The HMAC key, derived from the log's private signing key (never stored anywhere else)."""
    return hashlib.sha256(_KEY_LABEL + signing_key_text.encode("utf-8")).digest()


def commit(key: bytes, name: str) -> str:
    """The public stand-in for a hidden dataset's name."""
    mac = hmac.new(key, b"dataset:" + name.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + mac[:32]


def is_commitment(name: str) -> bool:
    return name.startswith(PREFIX)


def hide_event(event: E, hidden: Callable[[str], bool], key: bytes) -> E:
    """The event with every hidden dataset's name replaced by its commitment."""
    changes = {
        f: commit(key, value)
        for f in DATASET_FIELDS
        if isinstance(value := getattr(event, f, None), str)
        and not is_commitment(value)
        and hidden(value)
    }
    return dataclasses.replace(event, **changes) if changes else event  # type: ignore[type-var]


def _dataset_ref(ref: Any) -> str | None:
    """The dataset name in "dataset:NAME" or "dataset:NAME@VERSION", else None."""
    if isinstance(ref, str) and ref.startswith("dataset:"):
        return ref.removeprefix("dataset:").split("@", 1)[0] or None
    return None


def _swap(ref: str, name: str, key: bytes) -> str:
    rest = ref.removeprefix("dataset:" + name)
    return f"dataset:{commit(key, name)}{rest}"


def named(entry: dict[str, Any]) -> set[str]:
    """The dataset names an entry mentions (its subject, a release's source)."""
    data = entry.get("data")
    refs = (entry.get("subject"), data.get("source") if isinstance(data, dict) else None)
    return {n for n in map(_dataset_ref, refs) if n is not None and not is_commitment(n)}


def redact_entry(entry: dict[str, Any], hidden: set[str], key: bytes) -> dict[str, Any] | None:
    """A copy of `entry` with the names in `hidden` replaced by commitments, or None if it
    names none of them."""
    names = named(entry) & hidden
    if not names:
        return None
    out = dict(entry)
    name = _dataset_ref(out.get("subject"))
    if name in names:
        out["subject"] = _swap(out["subject"], name, key)
    data = out.get("data")
    if isinstance(data, dict) and (source := _dataset_ref(data.get("source"))) in names:
        assert source is not None
        out["data"] = {**data, "source": _swap(data["source"], source, key)}
    return out


def names_in(entries: Iterable[dict[str, Any]]) -> set[str]:
    """Every dataset name the entries mention."""
    found: set[str] = set()
    for e in entries:
        found |= named(e)
    return found
