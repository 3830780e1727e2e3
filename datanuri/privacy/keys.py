"""Pseudonymisation keys: named 256-bit HMAC keys per organisation (the data holder), kept in
files outside the data (not in the database, not in the blob store).

A release pseudonymises with a key derived from the holder's key and a fresh per-release salt
(`derive_release_key`), so two releases under one key share no pseudonym and cannot be joined on
them; a policy may ask for linkable pseudonyms (``"linkable": true``: the holder's key itself, the
same pseudonym in every release), which the report and the release page warn about. A key is
never replaced: rotation is a key with a new name, so earlier releases stay reproducible (with
the release's salt from its report).

Layout under the key directory (`Config.key_dir`, default `<data_dir>/keys`, mode 0700)::

    master.key                        base64 of the 32-byte master key (only if
                                      DATANURI_KEY_MASTER is not set), mode 0600
    privacy/<organisation>/<name>.key one JSON file per key, mode 0600: the metadata in clear,
                                      the key sealed with AES-256-GCM under the master key
                                      (the metadata is the associated data, so it cannot be altered)

In production keep the master key out of the key directory: set `DATANURI_KEY_MASTER` (base64
of 32 random bytes) from a secret store, so a copy of the key directory alone reveals no key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from datanuri import errors
from datanuri.canonical import dumps as canonical_json
from datanuri.names import check_name
from datanuri.store.blobs import fsync_dir

KEY_BYTES = 32
MASTER_ENV = "DATANURI_KEY_MASTER"
MASTER_FILE = "master.key"
SUBDIR = "privacy"
FORMAT = "datanuri-pseudonym-key/1"
FINGERPRINT_MESSAGE = b"datanuri key fingerprint"
META = (
    "format",
    "organization",
    "name",
    "fingerprint",
    "created_at",
    "created_by",
)  # sealed as associated data
FIELDS = META + ("nonce", "sealed")

MSG_KEY_EXISTS = (
    "Organisation {org!r} already has a key named {name!r}; keys are never replaced, so releases made "
    "with it stay reproducible. To rotate, create a key with a new name (e.g. {suggestion!r}) and "
    "name it in the policy."
)
MSG_KEY_MISSING = (
    "The policy pseudonymises with key {name!r}, which organisation {org!r} does not hold. Create it with "
    "`datanuri privacy keys create {org} {name}` (or POST /api/v1/organizations/{org}/privacy/keys "
    'with {{"name": "{name}"}}), then apply the policy again.'
)
MSG_BAD_MASTER = (
    "The key store's master key ({where}) must be the base64 of exactly 32 random bytes; make one with "
    '`python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"`.'
)
MSG_KEY_UNREADABLE = (
    "The pseudonymisation key {org}/{name} ({path}) cannot be opened with the master key: the master key "
    "changed or the file was altered. Restore the master key it was created under ({MASTER_ENV} or {master})."
)


RELEASE_SALT_BYTES = 16
RELEASE_KEY_INFO = b"datanuri pseudonym release key/1"


def release_salt() -> bytes:
    """A fresh per-release value (random, public: it is recorded in the report)."""
    return secrets.token_bytes(RELEASE_SALT_BYTES)


def derive_release_key(key: bytes, salt: bytes) -> bytes:
    """The key one release pseudonymises with: HKDF-SHA-256 of the holder's key with the release's
    salt (RFC 5869). Two releases under the same holder key get unrelated pseudonyms, so they
    cannot be joined on them; the holder, who keeps the key and the salt in the report, can
    reproduce either. Without the holder's key the salt reveals nothing."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if len(salt) < RELEASE_SALT_BYTES:
        raise ValueError(f"a release salt has at least {RELEASE_SALT_BYTES} bytes")
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=RELEASE_KEY_INFO
    ).derive(bytes(key))


def fingerprint(key: bytes) -> str:
    """A public name for a key: hex of the first 16 bytes of HMAC-SHA-256(key, "datanuri key fingerprint")."""
    return hmac.new(key, FINGERPRINT_MESSAGE, hashlib.sha256).digest()[:16].hex()


def master_key_from_env(env: Mapping[str, str] | None = None) -> bytes | None:
    """The master key from DATANURI_KEY_MASTER, or None if it is not set."""
    raw = (os.environ if env is None else env).get(MASTER_ENV)
    if not raw:
        return None
    return _decode_master(raw, MASTER_ENV)


def _decode_master(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise errors.ConfigError(MSG_BAD_MASTER.format(where=where))
    return key


def _write_new(path: Path, data: bytes) -> None:
    """Write `data` to a new file `path` (mode 0600), durably; raises FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never the key itself."""

    name: str
    organization: str
    fingerprint: str
    created_at: str
    created_by: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class KeyStore:
    """Named HMAC keys per organisation, one sealed file per key under `key_dir`.

    `master_key` seals the key files (from DATANURI_KEY_MASTER); without it the store creates and
    uses `<key_dir>/master.key` on first use."""

    def __init__(self, key_dir: Path, *, master_key: bytes | None = None) -> None:
        self.key_dir = Path(key_dir)
        if master_key is not None and len(master_key) != KEY_BYTES:
            raise errors.ConfigError(MSG_BAD_MASTER.format(where="master_key"))
        self._master = master_key

    # ----- paths -----------------------------------------------------------------------------
    @property
    def master_path(self) -> Path:
        return self.key_dir / MASTER_FILE

    def _org_dir(self, org: str) -> Path:
        return self.key_dir / SUBDIR / check_name(org, "organization")

    def path(self, org: str, name: str) -> Path:
        return self._org_dir(org) / f"{check_name(name, 'key')}.key"

    # ----- master key ------------------------------------------------------------------------
    def _master_key(self) -> bytes:
        if self._master is None:
            if not self.master_path.exists():
                _private_dir(self.key_dir)
                tmp = self.key_dir / f".{MASTER_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
                try:
                    _write_new(tmp, base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
                    os.link(tmp, self.master_path)  # the first of two racing processes wins
                    fsync_dir(self.key_dir)
                except FileExistsError:
                    pass
                finally:
                    tmp.unlink(missing_ok=True)
            self._master = _decode_master(
                self.master_path.read_text("ascii"), str(self.master_path)
            )
        return self._master

    # ----- operations ------------------------------------------------------------------------
    def create(
        self,
        org: str,
        name: str,
        *,
        created_by: str,
        record: Callable[[KeyInfo], None] | None = None,
    ) -> KeyInfo:
        """Create a new random key `name` for `org`; refuses an existing name (Conflict).

        `record(info)` runs after the sealed file is written under a temporary name and before
        it becomes visible: if it raises (the ledger could not record), no key is created."""
        final = self.path(org, name)
        if final.exists():
            raise errors.Conflict(
                MSG_KEY_EXISTS.format(org=org, name=name, suggestion=_next_name(name))
            )
        key = secrets.token_bytes(KEY_BYTES)
        meta = {
            "format": FORMAT,
            "organization": org,
            "name": name,
            "fingerprint": fingerprint(key),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            "created_by": created_by,
        }
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._master_key()).encrypt(nonce, key, canonical_json(meta))
        body = {
            **meta,
            "nonce": base64.b64encode(nonce).decode(),
            "sealed": base64.b64encode(sealed).decode(),
        }
        directory = _private_dir(final.parent)
        _private_dir(directory.parent)
        tmp = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        _write_new(tmp, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        info = _info(meta)
        try:
            if record is not None:
                record(info)
            try:
                os.link(tmp, final)  # atomic, and never over an existing key (unlike rename)
            except FileExistsError:
                raise errors.Conflict(
                    MSG_KEY_EXISTS.format(org=org, name=name, suggestion=_next_name(name))
                ) from None
            fsync_dir(directory)
        finally:
            tmp.unlink(missing_ok=True)
        return info

    def retract(self, info: KeyInfo) -> None:
        """Remove a key this process just created whose creation could not be committed."""
        path = self.path(info.organization, info.name)
        try:
            if json.loads(path.read_text("utf-8")).get("fingerprint") == info.fingerprint:
                path.unlink()
        except FileNotFoundError:
            pass

    def list(self, org: str) -> list[KeyInfo]:
        """The keys of `org` (metadata only), oldest first."""
        directory = self._org_dir(org)
        if not directory.is_dir():
            return []
        infos = [
            _info(self._read(p)) for p in directory.glob("*.key") if not p.name.startswith(".")
        ]
        return sorted(infos, key=lambda i: (i.created_at, i.name))

    def info(self, org: str, name: str) -> KeyInfo:
        return _info(self._read(self._existing(org, name)))

    def get(self, org: str, name: str) -> bytes:
        """The key bytes (internal: never returned by an interface, never logged)."""
        path = self._existing(org, name)
        body = self._read(path)
        meta = {k: body[k] for k in META}
        unreadable = MSG_KEY_UNREADABLE.format(
            org=org, name=name, path=path, MASTER_ENV=MASTER_ENV, master=self.master_path
        )
        if meta["organization"] != org or meta["name"] != name:
            raise errors.IntegrityError(unreadable)
        try:
            key = AESGCM(self._master_key()).decrypt(
                base64.b64decode(body["nonce"]),
                base64.b64decode(body["sealed"]),
                canonical_json(meta),
            )
        except (InvalidTag, ValueError):
            raise errors.IntegrityError(unreadable) from None
        if len(key) != KEY_BYTES or not hmac.compare_digest(fingerprint(key), meta["fingerprint"]):
            raise errors.IntegrityError(unreadable)
        return key

    def resolve(self, org: str, names: Iterable[str]) -> dict[str, bytes]:
        """The keys `names` of `org`; a missing one raises InvalidInput saying how to create it."""
        return {name: self.get(org, name) for name in dict.fromkeys(names)}

    # ----- helpers ---------------------------------------------------------------------------
    def _existing(self, org: str, name: str) -> Path:
        try:
            path = self.path(org, name)
        except errors.InvalidInput:
            path = None
        if path is None or not path.is_file():
            raise errors.InvalidInput(MSG_KEY_MISSING.format(org=org, name=name))
        return path

    def _read(self, path: Path) -> dict[str, Any]:
        try:
            body = json.loads(path.read_text("utf-8"))
            if body.get("format") != FORMAT:
                raise ValueError(f"format {body.get('format')!r}")
            missing = [k for k in FIELDS if not isinstance(body.get(k), str)]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            return dict(body)
        except (ValueError, AttributeError) as exc:
            raise errors.IntegrityError(
                f"The key file {path} is not a datanuri key ({exc}); restore it from a backup."
            ) from None


def _info(meta: Mapping[str, Any]) -> KeyInfo:
    return KeyInfo(
        name=meta["name"],
        organization=meta["organization"],
        fingerprint=meta["fingerprint"],
        created_at=meta["created_at"],
        created_by=meta["created_by"],
    )


def _next_name(name: str) -> str:
    """A suggestion for a rotated key's name: `holder-2026` -> `holder-2026-2`, `x-2` -> `x-3`."""
    stem, _, tail = name.rpartition("-")
    if stem and tail.isdigit() and len(tail) < 4:
        return f"{stem}-{int(tail) + 1}"
    return f"{name}-2"
