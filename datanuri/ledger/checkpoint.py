"""C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash.

    datanuri.local/ledger
    42
    qh6pJhQy0U0q8JvtrDcDpKxDKlGRHcy4a4xn7yBp3mQ=

optionally followed by extension lines. Signed as a signed note (`note.py`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from datanuri.ledger import messages
from datanuri.ledger.note import NoteError, Verifier, open_note, parse_note


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError(
                messages.BAD_CHECKPOINT.format(why="it needs origin, size and root lines")
            )
        origin, size_s, root_s, *ext = lines[:-1]
        if not origin:
            raise NoteError(messages.BAD_CHECKPOINT.format(why="the origin line is empty"))
        if (
            not size_s.isdigit()
            or (size_s != "0" and size_s.startswith("0"))
            or not size_s.isascii()
        ):
            raise NoteError(messages.BAD_CHECKPOINT.format(why=f"bad tree size {size_s!r}"))
        try:
            root = base64.b64decode(root_s, validate=True)
        except binascii.Error as exc:
            raise NoteError(
                messages.BAD_CHECKPOINT.format(why="the root hash is not base64")
            ) from exc
        if len(root) != 32:
            raise NoteError(messages.BAD_CHECKPOINT.format(why="the root hash is not 32 bytes"))
        if any(not e for e in ext):
            raise NoteError(messages.BAD_CHECKPOINT.format(why="empty extension line"))
        return cls(origin, int(size_s), root, tuple(ext))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint the ledger signed: the note text carries the log signature and any cosignatures."""

    checkpoint: Checkpoint
    note: str
    created_at: dt.datetime | None = None
    cosigners: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root

    @property
    def origin(self) -> str:
        return self.checkpoint.origin

    def to_dict(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "checkpoint": self.note,
            "cosigners": list(self.cosigners),
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def open_checkpoint(note: str, log_verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint against the log's key and parse it; raises NoteError."""
    text, _ = open_note(note, [log_verifier])
    cp = Checkpoint.parse(text)
    want = origin or log_verifier.name
    if cp.origin != want:
        raise NoteError(messages.WRONG_ORIGIN.format(got=cp.origin, want=want))
    return cp


def unverified_checkpoint(note: str) -> Checkpoint:
    text, _ = parse_note(note)
    return Checkpoint.parse(text)


def add_signature_lines(note: str, lines: Sequence[str]) -> str:
    """Append extra signature lines (cosignatures) to a signed note, skipping ones already there."""
    have = note.splitlines(keepends=True)
    out = note
    for line in lines:
        if not line.endswith("\n"):
            line += "\n"
        if line not in have:
            out += line
            have.append(line)
    return out
