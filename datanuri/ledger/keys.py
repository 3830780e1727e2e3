"""The log's Ed25519 signing key, kept as signed-note key text in the data dir.

`<key_dir>/ledger.key` holds the private key (`PRIVATE+KEY+...`, mode 0600) and
`<key_dir>/ledger.pub` the verifier key served at `/.well-known/datanuri-ledger.pub`.
"""

from __future__ import annotations

import os
from pathlib import Path

from datanuri.errors import LedgerError
from datanuri.ledger import messages
from datanuri.ledger.note import Ed25519Signer, NoteError, load_signer

PRIVATE_FILE = "ledger.key"
PUBLIC_FILE = "ledger.pub"


def _write_atomic(path: Path, text: str, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class KeyStore:
    def __init__(self, key_dir: Path, origin: str) -> None:
        self.key_dir = Path(key_dir)
        self.origin = origin
        self._signer: Ed25519Signer | None = None

    @property
    def private_path(self) -> Path:
        return self.key_dir / PRIVATE_FILE

    @property
    def public_path(self) -> Path:
        return self.key_dir / PUBLIC_FILE

    def ensure(self) -> Ed25519Signer:
        """Load the key, creating it (and the public key file) on first use."""
        if not self.private_path.exists():
            self.key_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(self.key_dir, 0o700)
            signer = Ed25519Signer.generate(self.origin)
            try:
                # O_EXCL on a temp name + link: if two processes race, the first key wins.
                tmp = self.private_path.with_name(f".{PRIVATE_FILE}.{os.getpid()}.new")
                _write_atomic(tmp, signer.skey() + "\n", 0o600)
                os.link(tmp, self.private_path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        signer = self.signer()
        if (
            not self.public_path.exists()
            or self.public_path.read_text("utf-8").strip() != signer.vkey()
        ):
            _write_atomic(self.public_path, signer.vkey() + "\n", 0o644)
        return signer

    def signer(self) -> Ed25519Signer:
        if self._signer is None:
            if not self.private_path.exists():
                raise LedgerError(messages.NO_KEY.format(path=self.private_path))
            try:
                signer = load_signer(self.private_path.read_text("utf-8"))
            except NoteError as exc:
                raise LedgerError(messages.BAD_SKEY) from exc
            if signer.name != self.origin:
                raise LedgerError(
                    messages.KEY_ORIGIN.format(
                        path=self.private_path, name=signer.name, origin=self.origin
                    )
                )
            self._signer = signer
        return self._signer

    def vkey(self) -> str:
        return self.signer().vkey()
