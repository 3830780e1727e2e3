"""Linkage keys made at the holder: keyed HMAC-SHA-256 of normalised identifiers, in ``lk_*`` columns.

A linkage project's salt (32 random bytes from the key authority, kept in a salt file) is the HMAC
key: without it nobody can recompute a key from a guessed identifier (a plain hash of a phone
number falls to a dictionary of all phone numbers in minutes). Each key column gets its own
sub-key, ``HMAC(salt, "datanuri linkage key/1" 0x00 name)``, so ``lk_phone`` and ``lk_rrn`` of the
same digits differ. A key over several columns (name + birth date) hashes the normalised values
joined by 0x1F; a null or unreadable component gives a null key (no key is better than a wrong
one). The HMAC runs inside DuckDB (SHA-256 of the padded key blocks, RFC 2104), so a column of
any length is keyed without a Python loop; `tests/linkage` checks it against `hmac`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.linkage import messages as M
from datanuri.linkage.normalise import Kind, normalise
from datanuri.privacy.keys import fingerprint

SALT_BYTES = 32
KEY_PREFIX = "lk_"
SUBKEY_INFO = b"datanuri linkage key/1\x00"
SEPARATOR = "\x1f"
_BLOCK = 64  # SHA-256's block size


@dataclass(frozen=True)
class KeySpec:
    """One linkage key: its name (the column is ``lk_<name>``) and the columns it is made of."""

    name: str
    columns: tuple[str, ...]
    kinds: tuple[Kind, ...]

    @property
    def column(self) -> str:
        return KEY_PREFIX + self.name


def new_salt() -> bytes:
    """A fresh project salt (32 random bytes)."""
    return secrets.token_bytes(SALT_BYTES)


def write_salt_file(path: Path, salt: bytes | None = None) -> str:
    """Write a new salt file (base64, mode 0600; never overwrites); returns its fingerprint."""
    salt = new_salt() if salt is None else salt
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput(M.MSG_SALT_EXISTS.format(path=path)) from None
    with os.fdopen(fd, "wb") as f:
        f.write(base64.b64encode(salt) + b"\n")
    return fingerprint(salt)


def read_salt_file(path: Path) -> bytes:
    """The salt in a salt file (base64 or hex of at least 32 bytes)."""
    try:
        text = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(M.MSG_SALT_UNREADABLE.format(path=path)) from None
    salt = b""
    if re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
        salt = bytes.fromhex(text)
    else:
        try:
            salt = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            salt = b""
    if len(salt) < SALT_BYTES:
        raise InvalidInput(M.MSG_SALT_UNREADABLE.format(path=path))
    return salt


def subkey(salt: bytes, name: str) -> bytes:
    """The HMAC key of one key column: derived from the salt and the key's name."""
    return hmac.new(salt, SUBKEY_INFO + name.encode("utf-8"), hashlib.sha256).digest()


def hmac_hex(values: pa.Array | pa.ChunkedArray, key: bytes) -> pa.Array:
    """Lower-case hex HMAC-SHA-256 of each UTF-8 string under ``key``; nulls stay null (DuckDB)."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\x00")
    ipad = bytes(b ^ 0x36 for b in key).hex()
    opad = bytes(b ^ 0x5C for b in key).hex()
    src = pa.table({"v": values})  # noqa: F841 - read by DuckDB's replacement scan
    with duckdb.connect() as con:
        out = con.sql(
            f"SELECT CASE WHEN v IS NULL THEN NULL ELSE sha256(unhex('{opad}') || "
            f"unhex(sha256(unhex('{ipad}') || encode(v)))) END AS h FROM src"
        ).to_arrow_table()
    col = out.column("h")
    return col.combine_chunks() if col.num_chunks else pa.array([], pa.string())


def key_message(table: pa.Table, spec: KeySpec) -> pa.Array:
    """The normalised text a key hashes: components joined by 0x1F, null if any is null."""
    parts = [normalise(table.column(c), k) for c, k in zip(spec.columns, spec.kinds, strict=True)]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, SEPARATOR, null_handling="emit_null")


def linkage_keys(table: pa.Table, specs: list[KeySpec], salt: bytes) -> pa.Table:
    """The ``lk_*`` key columns of ``table`` (one per spec), in spec order."""
    return pa.table(
        {s.column: hmac_hex(key_message(table, s), subkey(salt, s.name)) for s in specs}
    )
