"""A witness: watches a log, checks that each new checkpoint extends the last one it saw, and
cosigns it (C2SP tlog-cosignature `cosignature/v1`). A log that shows a history inconsistent
with what the witness saw before (a fork or a rollback) gets no cosignature; the witness keeps
both signed checkpoints as evidence and reports the fork.

State lives in the witness's own directory: `witness.key`, `witness.pub` and `state.json`
(per log origin: the pinned log key and the last checkpoint cosigned), `forks/` for evidence.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from datanuri.errors import DatanuriError, IntegrityError, ServiceUnavailable
from datanuri.ledger import merkle, messages
from datanuri.ledger.checkpoint import Checkpoint, add_signature_lines, open_checkpoint
from datanuri.ledger.cosign import cosign
from datanuri.ledger.note import CosignatureSigner, NoteError, ed25519_verifier, load_signer

ProofFetcher = Callable[[int, int], Sequence[bytes]]


class ForkDetected(IntegrityError):
    """The log presented a checkpoint inconsistent with one it presented before."""

    code = "fork_detected"


@dataclass(frozen=True)
class Observation:
    origin: str
    old_size: int
    new_size: int
    cosigned_note: str  # the log's checkpoint with this witness's cosignature appended
    accepted: bool | None = None  # did the log accept the cosignature (None: not sent)
    log_said: str = ""


def _b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


class Witness:
    def __init__(self, state_dir: Path, *, name: str = "witness.local/w1") -> None:
        self.dir = Path(state_dir)
        self.name = name

    # ----- keys and state -------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.dir / "state.json"

    def ensure_key(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        key = self.dir / "witness.key"
        if not key.exists():
            signer = CosignatureSigner.generate(self.name)
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(signer.skey() + "\n")
        vkey = self.signer().vkey()
        (self.dir / "witness.pub").write_text(vkey + "\n")
        return vkey

    def signer(self) -> CosignatureSigner:
        signer = load_signer((self.dir / "witness.key").read_text())
        if not isinstance(signer, CosignatureSigner):
            raise IntegrityError(messages.BAD_SKEY)
        self.name = signer.name
        return signer

    def vkey(self) -> str:
        return self.signer().vkey()

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_path.read_text("utf-8")) if self.state_path.exists() else {}

    # ----- the check ------------------------------------------------------------------------
    def observe(self, note: str, log_vkey: str, fetch_proof: ProofFetcher) -> Observation:
        """Check a signed checkpoint against the last one seen for its log and cosign it.

        Raises ForkDetected (and records evidence) when it does not extend the last one.
        """
        verifier = ed25519_verifier(log_vkey)
        cp = open_checkpoint(note, verifier)
        state = self.state()
        seen = state.get(cp.origin)
        if seen is not None and seen["log_key"] != log_vkey.strip():
            raise IntegrityError(
                messages.KEY_MISMATCH.format(path=f"the witness state for {cp.origin}")
            )
        old_size = 0
        if seen is not None:
            old = Checkpoint.parse(seen["checkpoint_body"])
            old_size = old.size
            if cp.size < old.size:
                self._evidence(cp.origin, seen["checkpoint"], note, "rollback")
                raise ForkDetected(
                    messages.ROLLBACK.format(origin=cp.origin, new_size=cp.size, old_size=old.size)
                )
            try:
                if old.size > 0:
                    proof = [] if cp.size == old.size else list(fetch_proof(old.size, cp.size))
                    merkle.verify_consistency(old.size, cp.size, old.root, cp.root, proof)
            except merkle.ProofError as exc:
                self._evidence(cp.origin, seen["checkpoint"], note, str(exc))
                raise ForkDetected(
                    messages.FORK_DETECTED.format(
                        origin=cp.origin,
                        new_size=cp.size,
                        new_root=_b64(cp.root),
                        old_size=old.size,
                        old_root=_b64(old.root),
                        why=exc,
                    ),
                    details={"old": seen["checkpoint"], "new": note},
                ) from exc
        signer = self.signer()
        sig = cosign(cp.body(), signer)
        state[cp.origin] = {
            "log_key": log_vkey.strip(),
            "checkpoint": note,
            "checkpoint_body": cp.body(),
            "size": cp.size,
            "root": _b64(cp.root),
            "cosigned_at": int(time.time()),
        }
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_json(self.state_path, state)
        return Observation(cp.origin, old_size, cp.size, add_signature_lines(note, [sig.line()]))

    def _evidence(self, origin: str, old_note: str, new_note: str, why: str) -> Path:
        forks = self.dir / "forks"
        forks.mkdir(parents=True, exist_ok=True)
        path = forks / f"{origin.replace('/', '_')}-{time.time_ns()}.json"
        _write_json(
            path,
            {
                "origin": origin,
                "reason": why,
                "previous_checkpoint": old_note,
                "presented_checkpoint": new_note,
            },
        )
        return path

    # ----- talking to a log over HTTP -------------------------------------------------------
    def run_once(
        self, log_url: str, *, log_key: str | None = None, client: Any = None
    ) -> Observation:
        """Fetch the log's checkpoint, check it, cosign it and post the cosignature back.

        `log_key` pins the log's verifier key; without it the key recorded on first contact
        is used (trust on first use), fetched from /.well-known/datanuri-ledger.pub.
        """
        import httpx

        base = log_url.rstrip("/")
        own = client is None
        http = client or httpx.Client(timeout=30)
        try:
            try:
                cp = http.get(f"{base}/api/v1/ledger/checkpoint").raise_for_status().json()
                note = cp["checkpoint"]
                try:
                    origin = Checkpoint.parse(note.split("\n\n")[0] + "\n").origin
                except NoteError:
                    origin = ""
                key = log_key or self.state().get(origin, {}).get("log_key")
                if key is None:
                    key = (
                        http.get(f"{base}/.well-known/datanuri-ledger.pub")
                        .raise_for_status()
                        .text.strip()
                    )

                def fetch(first: int, second: int) -> list[bytes]:
                    r = http.get(
                        f"{base}/api/v1/ledger/proof/consistency",
                        params={"first": first, "second": second},
                    )
                    return [base64.b64decode(p) for p in r.raise_for_status().json()["proof"]]

                obs = self.observe(note, key, fetch)
                r = http.post(
                    f"{base}/api/v1/ledger/cosignatures", json={"checkpoint": obs.cosigned_note}
                )
                if r.status_code >= 500:
                    r.raise_for_status()
                said = (
                    ""
                    if r.is_success
                    else str((r.json().get("error") or {}).get("message", r.text))
                )
                return replace(obs, accepted=r.is_success, log_said=said)
            except httpx.HTTPError as exc:
                raise ServiceUnavailable(
                    messages.LOG_UNREACHABLE.format(url=base, why=exc)
                ) from exc
        finally:
            if own:
                http.close()

    def run(
        self,
        log_url: str,
        *,
        log_key: str | None = None,
        interval: float = 10.0,
        report: Callable[[str], None] = print,
    ) -> None:
        """Watch a log forever; stops (raising ForkDetected) when the log forks."""
        while True:
            try:
                obs = self.run_once(log_url, log_key=log_key)
                report(f"cosigned {obs.origin} at size {obs.new_size} (previous {obs.old_size})")
                if not obs.accepted:
                    report(f"the log did not accept the cosignature: {obs.log_said}")
            except ForkDetected:
                raise
            except DatanuriError as exc:
                report(f"error: {exc.message}")
            time.sleep(interval)
