"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.

A signed note is a text ending in a newline, a blank line, then signature lines
`— <key name> <base64(4-byte key ID || signature)>`. A key ID is the first four bytes of
SHA-256(name || 0x0A || type || public key); type 0x01 is a plain Ed25519 note signature and
0x04 a timestamped `cosignature/v1` (see `cosign.py`). Keys travel as text: a verifier key
(vkey) `name+hexid+base64(type || pubkey)` and a signer key
`PRIVATE+KEY+name+hexid+base64(type || seed)`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from datanuri.ledger import messages

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
SIG_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A note, key or signature is malformed, or a signature does not verify."""


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(messages.BAD_KEY_NAME.format(name=name))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


class Verifier(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def verify(self, text: bytes, sig: bytes) -> bool: ...


@dataclass(frozen=True)
class Ed25519Verifier:
    """Verifies plain Ed25519 note signatures (type 0x01)."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ALG_ED25519, self.public_key)

    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()}"

    def verify(self, text: bytes, sig: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(sig, text)
            return True
        except (InvalidSignature, ValueError):
            return False


class Ed25519Signer:
    """Signs notes with an Ed25519 key under a key name (the log origin)."""

    alg = ALG_ED25519

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_name(name)
        self.name = name
        self._key = private_key
        self.public_key = _raw_public(private_key.public_key())

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.alg, self.public_key)

    def verifier(self) -> Ed25519Verifier:
        return Ed25519Verifier(self.name, self.public_key)

    def vkey(self) -> str:
        return format_vkey(self.name, self.alg, self.public_key)

    def skey(self) -> str:
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([self.alg]) + seed).decode()}"

    def sign_raw(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def sign(self, text: bytes) -> bytes:
        """The signature bytes of a note text (without the key ID)."""
        return self.sign_raw(text)


class CosignatureSigner(Ed25519Signer):
    """An Ed25519 witness key: its key ID and vkey use type 0x04 (timestamped cosignature/v1)."""

    alg = ALG_COSIGNATURE_V1


def format_vkey(name: str, alg: int, public_key: bytes) -> str:
    return f"{name}+{key_id(name, alg, public_key).hex()}+{base64.b64encode(bytes([alg]) + public_key).decode()}"


def parse_vkey(vkey: str) -> tuple[str, int, bytes]:
    """(name, algorithm byte, public key) of a verifier key; checks its key ID."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError(messages.BAD_VKEY.format(vkey=vkey.strip()[:80]))
    name, hexid, b64 = parts
    check_name(name)
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(hexid)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(messages.BAD_VKEY.format(vkey=vkey.strip()[:80])) from exc
    if len(raw) != 33 or len(kid) != 4 or key_id(name, raw[0], raw[1:]) != kid:
        raise NoteError(messages.BAD_VKEY.format(vkey=vkey.strip()[:80]))
    return name, raw[0], raw[1:]


def ed25519_verifier(vkey: str) -> Ed25519Verifier:
    name, alg, pub = parse_vkey(vkey)
    if alg != ALG_ED25519:
        raise NoteError(messages.BAD_VKEY.format(vkey=vkey.strip()[:80]))
    return Ed25519Verifier(name, pub)


def load_signer(skey: str) -> Ed25519Signer:
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError(messages.BAD_SKEY)
    _, _, name, hexid, b64 = parts
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error as exc:
        raise NoteError(messages.BAD_SKEY) from exc
    if len(raw) != 33 or raw[0] not in (ALG_ED25519, ALG_COSIGNATURE_V1):
        raise NoteError(messages.BAD_SKEY)
    cls = Ed25519Signer if raw[0] == ALG_ED25519 else CosignatureSigner
    signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.key_id.hex() != hexid:
        raise NoteError(messages.BAD_SKEY)
    return signer


# ----- notes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    sig: bytes  # without the key ID

    def line(self) -> str:
        return f"{SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + self.sig).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError(
            messages.BAD_NOTE.format(why="the text must end in one newline and have no blank lines")
        )
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError(messages.BAD_NOTE.format(why="the text contains control characters"))


def sign(text: str, signer: Ed25519Signer) -> Signature:
    _check_text(text)
    return Signature(signer.name, signer.key_id, signer.sign(text.encode()))


def format_note(text: str, signatures: Sequence[Signature]) -> str:
    _check_text(text)
    if not signatures:
        raise NoteError(messages.BAD_NOTE.format(why="a signed note needs at least one signature"))
    return text + "\n" + "".join(s.line() for s in signatures)


def sign_note(text: str, *signers: Ed25519Signer) -> str:
    return format_note(text, [sign(text, s) for s in signers])


def parse_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and (unverified) signatures."""
    if len(note) > 1_000_000:
        raise NoteError(messages.BAD_NOTE.format(why="it is too large"))
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError(
            messages.BAD_NOTE.format(why="there is no blank line before the signatures")
        )
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    if not sig_block.endswith("\n"):
        raise NoteError(messages.BAD_NOTE.format(why="the last signature line has no newline"))
    sigs: list[Signature] = []
    for line in sig_block[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError(messages.BAD_NOTE.format(why=f"malformed signature line {line[:60]!r}"))
        name, _, b64 = line[len(SIG_PREFIX) :].partition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError(messages.BAD_NOTE.format(why="a signature is not base64")) from exc
        if not name or " " in b64 or len(raw) < 5:
            raise NoteError(messages.BAD_NOTE.format(why=f"malformed signature line {line[:60]!r}"))
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if not sigs or len(sigs) > MAX_SIGNATURES:
        raise NoteError(messages.BAD_NOTE.format(why="wrong number of signatures"))
    return text, sigs


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[str, list[Signature]]:
    """Verify a note: returns its text and the signatures made by `verifiers`.

    Signatures by unknown keys are ignored; a signature by a known key that does not verify
    rejects the whole note; a note with no signature by any known key is rejected.
    """
    text, sigs = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    good: list[Signature] = []
    seen: set[tuple[str, bytes]] = set()
    for s in sigs:
        v = known.get((s.name, s.key_id))
        if v is None or (s.name, s.key_id) in seen:
            continue
        seen.add((s.name, s.key_id))
        if not v.verify(text.encode(), s.sig):
            raise NoteError(messages.BAD_SIGNATURE.format(name=s.name))
        good.append(s)
    if not good:
        raise NoteError(
            messages.NO_KNOWN_SIGNATURE.format(
                names=", ".join(sorted({v.name for v in verifiers})) or "none"
            )
        )
    return text, good
