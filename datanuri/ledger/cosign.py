"""Witness cosignatures, C2SP tlog-cosignature `cosignature/v1` with Ed25519 (key type 0x04).

The witness signs `cosignature/v1\\ntime <unix seconds>\\n` followed by the whole checkpoint
body; the signature line carries base64(key ID || u64 big-endian timestamp || signature).
"""

from __future__ import annotations

import struct
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from datanuri.ledger import messages
from datanuri.ledger.note import (
    ALG_COSIGNATURE_V1,
    CosignatureSigner,
    NoteError,
    Signature,
    key_id,
    parse_note,
    parse_vkey,
)


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(body: str, signer: CosignatureSigner, *, timestamp: int | None = None) -> Signature:
    """A cosignature/v1 over a checkpoint body, as a note signature."""
    ts = int(_time.time()) if timestamp is None else timestamp
    sig = signer.sign_raw(cosigned_message(body, ts))
    return Signature(signer.name, signer.key_id, struct.pack(">Q", ts) + sig)


@dataclass(frozen=True)
class CosignatureVerifier:
    name: str
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        name, alg, pub = parse_vkey(vkey)
        if alg != ALG_COSIGNATURE_V1:
            raise NoteError(messages.BAD_VKEY.format(vkey=vkey.strip()[:80]))
        return cls(name, pub)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def timestamp(self, sig: bytes) -> int:
        return struct.unpack(">Q", sig[:8])[0]

    def verify(self, text: bytes, sig: bytes) -> bool:
        if len(sig) != 72:
            return False
        ts = struct.unpack(">Q", sig[:8])[0]
        if ts >= 1 << 63:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                sig[8:], cosigned_message(text.decode(), ts)
            )
            return True
        except (InvalidSignature, ValueError):
            return False


def valid_cosigners(note: str, witnesses: Sequence[CosignatureVerifier]) -> list[str]:
    """Names of the trusted witnesses whose cosignature on this note verifies (bad ones are ignored)."""
    text, sigs = parse_note(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    names: list[str] = []
    for s in sigs:
        w = known.get((s.name, s.key_id))
        if w is not None and w.name not in names and w.verify(text.encode(), s.sig):
            names.append(w.name)
    return names
