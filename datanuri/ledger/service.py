"""`Ledger`: the integrity log service every capability records its trust-relevant events in."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rfc8785
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from datanuri import canonical
from datanuri.errors import Conflict, IntegrityError, InvalidInput, LedgerError, NotFound
from datanuri.events import AnyEvent
from datanuri.ledger import hiding, merkle, messages, store
from datanuri.ledger.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    add_signature_lines,
    open_checkpoint,
)
from datanuri.ledger.cosign import CosignatureVerifier, valid_cosigners
from datanuri.ledger.group import GroupCommit
from datanuri.ledger.hiding import hide_event
from datanuri.ledger.keys import KeyStore
from datanuri.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerWitness
from datanuri.ledger.note import NoteError, parse_note, sign_note
from datanuri.ledger.receipts import ReceiptCheck, check_receipt
from datanuri.store.db import Database, utcnow

RECEIPT_FORMAT = "datanuri-receipt/v1"
_UTC = dt.UTC
MAX_ENTRIES_PAGE = 1000


def b64(h: bytes) -> str:
    return base64.b64encode(h).decode()


def canonical_leaf(event: AnyEvent) -> bytes:
    """The leaf data of an event: RFC 8785 canonical JSON of its `to_json_obj()`.

    Written in the order RFC 8785 sorts the entry's keys to (actor, data, hashes, subject, time,
    type), so only its hashes and data go through the general canonicaliser; whatever this fast
    path does not cover (text that is not exactly a str, a lone surrogate, a year before 1000,
    values outside `canonical.fast_text`) takes the general path, which gives the same bytes or
    the same error.
    """
    try:
        kind, actor, subject, hashes, data = (
            event.type,
            event.actor,
            event.subject,
            event.hashes,
            event.data,
        )
        time = event.time.astimezone(_UTC)
        if (
            type(kind) is str
            and type(actor) is str
            and type(subject) is str
            and time.year >= 1000  # strftime's %Y does not pad earlier years
        ):
            h = canonical.fast_text(hashes if type(hashes) is dict else dict(hashes))
            d = canonical.fast_text(data if type(data) is dict else dict(data)) if data else "{}"
            if h is not None and d is not None:
                q = canonical.string
                # isoformat ends in "+00:00" for a UTC time: Z instead, as to_json_obj writes it
                return (
                    f'{{"actor":{q(actor)},"data":{d},"hashes":{h},"subject":{q(subject)},'
                    f'"time":"{time.isoformat(timespec="microseconds")[:-6]}Z","type":{q(kind)}}}'
                ).encode()
    except Exception:  # noqa: BLE001 - the general path below raises it again, as it always did
        pass
    return canonical.dumps(event.to_json_obj())


@contextmanager
def _recording(event: AnyEvent) -> Iterator[None]:
    """A failure to store `event` (and the events after it) as a LedgerError."""
    try:
        yield
    except (SQLAlchemyError, LookupError) as exc:
        raise LedgerError(
            messages.RECORD_FAILED.format(type=event.type, why=str(exc).splitlines()[0])
        ) from exc


class Ledger:
    """An append-only Merkle log (RFC 9162) with Ed25519-signed C2SP checkpoints.

    `record(session, event)` appends inside the caller's transaction, so the action and its
    leaf commit together or not at all. Everything else opens its own session.
    """

    def __init__(
        self,
        db: Database,
        *,
        key_dir: Path,
        origin: str = "datanuri.local/ledger",
        required_cosignatures: int = 0,
    ) -> None:
        self.db = db
        self.origin = origin
        self.keys = KeyStore(Path(key_dir), origin)
        self.required_cosignatures = required_cosignatures
        self._proofs = store.ProofReader(db.engine)
        self.group_commit = GroupCommit(
            lambda datas, durable: store.append_committed(db.engine, datas, durable=durable)
        )
        # Whether a dataset is hidden from the public (set by the platform from the catalog);
        # entries name hidden datasets by a keyed commitment (ledger/hiding.py).
        self.hidden: hiding.HiddenFinder | None = None

    # ----- keys -----------------------------------------------------------------------------
    def ensure_key(self) -> str:
        """Create the signing key pair on first use; returns the verifier key text."""
        return self.keys.ensure().vkey()

    def public_key(self) -> str:
        """The verifier key (vkey) text, as served at /.well-known/datanuri-ledger.pub."""
        return self.keys.vkey()

    # ----- appending ------------------------------------------------------------------------
    def record(self, session: Session, event: AnyEvent) -> int:
        """Append `event` in `session`'s transaction and return its leaf index (EventSink)."""
        return self.record_many(session, [event])[0]

    def record_many(self, session: Session, events: Sequence[AnyEvent]) -> list[int]:
        """Append events in order in `session`'s transaction; returns their leaf indexes."""
        if not events:
            return []
        datas = self._leaves(session, events)
        with _recording(events[0]):
            return store.append_leaves(session, datas)

    def append(self, event: AnyEvent, *, durable: bool = False) -> int:
        """Append `event` in a transaction of its own and return its leaf index once committed.

        For entries that guard no action of their own transaction (`record` is for those).
        Appends from concurrent threads share one commit (group commit, `ledger/group.py`).
        `durable`: the commit is synced to disk before this returns, also on SQLite (see
        `store.append_committed`); without it SQLite's commit survives a crash of the process."""
        if self.hidden is None:
            data = self._leaves(None, [event])[0]
        else:
            with self.db.session() as s:
                data = self._leaves(s, [event])[0]
        with _recording(event):
            return self.group_commit.append(data, durable=durable)

    def _leaves(self, session: Session | None, events: Sequence[AnyEvent]) -> list[bytes]:
        """The leaf data of `events`, hidden datasets named by their commitment."""
        if self.hidden is not None and session is not None:
            finder, key = self.hidden, self._commitment_key()
            events = [hide_event(e, lambda name: finder(session, name), key) for e in events]
        try:
            return [canonical_leaf(e) for e in events]
        except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
            raise LedgerError(
                messages.RECORD_FAILED.format(
                    type=events[0].type, why=f"the event is not JSON ({exc})"
                )
            ) from exc

    # ----- hidden datasets (ledger/hiding.py) -------------------------------------------------
    def _commitment_key(self) -> bytes:
        return hiding.commitment_key(self.keys.signer().skey())

    def commit_name(self, name: str) -> str:
        """The commitment that stands for hidden dataset `name` in entries (for the audit)."""
        return hiding.commit(self._commitment_key(), name)

    def _hidden_now(self, names: set[str]) -> set[str]:
        if not names or self.hidden is None:
            return set()
        with self.db.session() as s:
            return {n for n in names if self.hidden(s, n)}

    def public_entries(self, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
        """`entries` as the public may see them: older entries that name a dataset hidden now
        show a commitment instead of its name and are marked `"redacted": true`."""
        items = self.entries(start, end)
        hidden = self._hidden_now(hiding.names_in(i["entry"] for i in items))
        if hidden:
            key = self._commitment_key()
            for item in items:
                shown = hiding.redact_entry(item["entry"], hidden, key)
                if shown is not None:
                    item["entry"], item["redacted"] = shown, True
        return items

    def public_receipt(self, leaf_index: int) -> dict[str, Any]:
        """`receipt` as the public may see it (redacted like `public_entries`)."""
        receipt = self.receipt(leaf_index)
        hidden = self._hidden_now(hiding.named(receipt["entry"]))
        if hidden:
            shown = hiding.redact_entry(receipt["entry"], hidden, self._commitment_key())
            if shown is not None:
                receipt["entry"], receipt["redacted"] = shown, True
        return receipt

    # ----- reading --------------------------------------------------------------------------
    def size(self) -> int:
        with self.db.session() as s:
            return store.read_state(s, lock=False)[0]

    def root(self, size: int | None = None) -> bytes:
        with self.db.session() as s:
            n = store.read_state(s, lock=False)[0] if size is None else self._check_size(s, size)
            return merkle.root_at(n, store.SessionNodes(s))

    def _check_size(self, s: Session, size: int) -> int:
        n = store.read_state(s, lock=False)[0]
        if not 0 <= size <= n:
            raise InvalidInput(messages.SIZE_OUT_OF_RANGE.format(size=n, want=size))
        return size

    def entries(self, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
        """Entries `[start, end)` (at most 1000) with their leaf hashes."""
        end = start + 100 if end is None else end
        if start < 0 or end < start or end - start > MAX_ENTRIES_PAGE:
            raise InvalidInput(
                messages.BAD_RANGE.format(
                    why=f"need 0 <= start <= end and at most {MAX_ENTRIES_PAGE} entries"
                )
            )
        with self.db.session() as s:
            end = min(end, store.read_state(s, lock=False)[0])  # past the end there is nothing
            return [
                {
                    "index": int(r.idx),
                    "entry": json.loads(r.data),
                    "leaf_hash": b64(r.leaf_hash),
                    "created_at": r.created_at.isoformat(),
                }
                for r in store.leaf_rows(s, start, end)
            ]

    def entry(self, index: int) -> dict[str, Any]:
        rows = self.entries(index, index + 1) if index >= 0 else []
        if not rows:
            raise NotFound(messages.LEAF_OUT_OF_RANGE.format(size=self.size(), index=index))
        return rows[0]

    def _fast_proof(self, ranges: list[merkle.Range], size: int) -> list[bytes] | None:
        """The proof hashes for `ranges` in one read, or None if the tree is smaller than `size`."""
        found: list[dict[merkle.NodeKey, bytes] | None] = []

        def source(keys: Sequence[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
            got = self._proofs.hashes(keys, size)
            found.append(got)
            return got or {}

        try:
            return merkle.hash_ranges(ranges, source)
        except LookupError:
            if found and found[0] is None:
                return None  # the tree is smaller than `size`: the checked path reports it
            raise

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        if size is not None and 0 <= index < size:
            ranges = merkle.inclusion_ranges(index, size)
            proof = self._fast_proof(ranges, size) if ranges else None
            if proof is not None:
                return proof
        with self.db.session() as s:
            n = store.read_state(s, lock=False)[0] if size is None else self._check_size(s, size)
            if not 0 <= index < n:
                raise InvalidInput(messages.LEAF_OUT_OF_RANGE.format(size=n, index=index))
            return merkle.inclusion_proof(index, n, store.SessionNodes(s))

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        if 0 < first < second:
            proof = self._fast_proof(merkle.consistency_ranges(first, second), second)
            if proof is not None:
                return proof
        with self.db.session() as s:
            self._check_size(s, second)
            if not 0 < first <= second:
                raise InvalidInput(messages.BAD_RANGE.format(why="need 0 < first <= second"))
            return merkle.consistency_proof(first, second, store.SessionNodes(s))

    # ----- checkpoints ----------------------------------------------------------------------
    def checkpoint(self) -> SignedCheckpoint:
        """Sign a checkpoint for the current size (or return the one already signed for it).

        Before signing, the current tree is checked to extend the last signed checkpoint (its
        root is recomputed from stored nodes and a consistency proof verified), so the log
        never signs two inconsistent checkpoints.
        """
        signer = self.keys.ensure()
        with self.db.session() as s:
            size, frontier = store.read_state(s, lock=True)
            nodes = store.SessionNodes(s)
            root = merkle.root_at(size, nodes)
            if root != merkle.root_from_frontier(frontier):
                raise IntegrityError(
                    messages.INCONSISTENT_HISTORY.format(
                        size=size, got=b64(root), want=b64(merkle.root_from_frontier(frontier))
                    )
                )
            last = store.latest_checkpoint(s)
            if last is not None:
                try:
                    open_checkpoint(last.note, signer.verifier(), origin=self.origin)
                except NoteError as exc:
                    raise IntegrityError(
                        messages.KEY_MISMATCH.format(path=self.keys.private_path)
                    ) from exc
                if last.size > size:
                    raise IntegrityError(
                        messages.INCONSISTENT_HISTORY.format(
                            size=last.size, got="(missing entries)", want=b64(last.root)
                        )
                    )
                old_root = merkle.root_at(last.size, nodes) if last.size else merkle.EMPTY_ROOT
                if old_root != last.root:
                    raise IntegrityError(
                        messages.INCONSISTENT_HISTORY.format(
                            size=last.size, got=b64(old_root), want=b64(last.root)
                        )
                    )
                if last.size == size:
                    return self._signed(s, last)
                if last.size > 0:
                    proof = merkle.consistency_proof(last.size, size, nodes)
                    try:
                        merkle.verify_consistency(last.size, size, last.root, root, proof)
                    except merkle.ProofError as exc:
                        raise IntegrityError(
                            messages.INCONSISTENT_HISTORY.format(
                                size=last.size, got=b64(old_root), want=b64(last.root)
                            )
                        ) from exc
            cp = Checkpoint(self.origin, size, root)
            note = sign_note(cp.body(), signer)
            now = utcnow()
            s.execute(
                sa.insert(LedgerCheckpoint).values(size=size, root=root, note=note, created_at=now)
            )
            return SignedCheckpoint(cp, note, now, ())

    def _signed(self, s: Session, row: sa.Row) -> SignedCheckpoint:
        lines = [r.line for r in store.cosignature_lines(s, row.size)]
        note = add_signature_lines(row.note, lines)
        cosigners = tuple(valid_cosigners(note, self._witness_verifiers(s))) if lines else ()
        return SignedCheckpoint(
            Checkpoint.parse(parse_note(row.note)[0]), note, row.created_at, cosigners
        )

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        with self.db.session() as s:
            row = store.latest_checkpoint(s)
            return None if row is None else self._signed(s, row)

    def get_checkpoint(self, size: int) -> SignedCheckpoint:
        with self.db.session() as s:
            row = store.checkpoint_row(s, size)
            if row is None:
                raise NotFound(messages.STALE_COSIGNATURE.format(size=size))
            return self._signed(s, row)

    def witnessed_checkpoint(self, *, covering: int = -1) -> SignedCheckpoint | None:
        """The newest checkpoint (larger than `covering`) with the required number of cosignatures."""
        with self.db.session() as s:
            q = (
                sa.select(store.CHECKPOINTS)
                .where(store.CHECKPOINTS.c.size > covering)
                .order_by(store.CHECKPOINTS.c.size.desc())
            )
            for row in s.execute(q.limit(50)):
                cp = self._signed(s, row)
                if len(cp.cosigners) >= self.required_cosignatures:
                    return cp
        return None

    # ----- receipts -------------------------------------------------------------------------
    def receipt(self, leaf_index: int) -> dict[str, Any]:
        """Everything needed to verify entry `leaf_index` offline: the entry, its inclusion proof
        and a signed checkpoint (with any witness cosignatures)."""
        with self.db.session() as s:
            size = store.read_state(s, lock=False)[0]
        if not 0 <= leaf_index < size:
            raise NotFound(messages.LEAF_OUT_OF_RANGE.format(size=size, index=leaf_index))
        cp = self.witnessed_checkpoint(covering=leaf_index) if self.required_cosignatures else None
        if cp is None:
            latest = self.latest_checkpoint()
            cp = latest if latest is not None and latest.size > leaf_index else self.checkpoint()
        with self.db.session() as s:
            row = store.leaf_rows(s, leaf_index, leaf_index + 1)[0]
            proof = merkle.inclusion_proof(leaf_index, cp.size, store.SessionNodes(s))
        return {
            "format": RECEIPT_FORMAT,
            "origin": self.origin,
            "index": leaf_index,
            "entry": json.loads(row.data),
            "leaf_hash": b64(row.leaf_hash),
            "tree_size": cp.size,
            "inclusion_proof": [b64(p) for p in proof],
            "checkpoint": cp.note,
            "cosigners": list(cp.cosigners),
            "log_public_key": self.public_key(),
        }

    def check_receipt(
        self, index: int, *, subject: str | None = None, parquet_hash: str | None = None
    ) -> ReceiptCheck:
        """Fetch entry `index`'s receipt and check it as an outside verifier would (this log's
        public key, its trusted witnesses), that the entry names `subject` and `parquet_hash`
        (when given), and that its tree is no larger than the current signed checkpoint."""
        current = self.checkpoint()
        receipt = self.receipt(index)
        named = receipt["entry"].get("subject")
        if subject and isinstance(named, str) and named.startswith("dataset:" + hiding.PREFIX):
            name = subject.removeprefix("dataset:").split("@", 1)[0]
            rest = subject.removeprefix("dataset:" + name)  # a hidden dataset's entry
            subject = f"dataset:{self.commit_name(name)}{rest}"
        return check_receipt(
            receipt,
            public_key=self.public_key(),
            witness_keys=self.witnesses(),
            subject=subject,
            parquet_hash=parquet_hash,
            current_size=current.size,
        )

    # ----- witnesses ------------------------------------------------------------------------
    def _witness_verifiers(self, s: Session) -> list[CosignatureVerifier]:
        rows = s.execute(sa.select(LedgerWitness.vkey)).scalars()
        return [CosignatureVerifier.from_vkey(v) for v in rows]

    def add_witness(self, vkey: str) -> str:
        """Trust cosignatures from the witness with this verifier key (type 0x04); returns its name."""
        try:
            w = CosignatureVerifier.from_vkey(vkey)
        except NoteError as exc:
            raise InvalidInput(str(exc)) from exc
        with self.db.session() as s:
            existing = s.get(LedgerWitness, w.name)
            if existing is not None:
                existing.vkey = vkey.strip()
            else:
                s.add(LedgerWitness(name=w.name, vkey=vkey.strip()))
        return w.name

    def witnesses(self) -> list[str]:
        with self.db.session() as s:
            return list(
                s.execute(sa.select(LedgerWitness.vkey).order_by(LedgerWitness.name)).scalars()
            )

    def remove_witness(self, name: str) -> None:
        with self.db.session() as s:
            row = s.get(LedgerWitness, name)
            if row is None:
                raise NotFound(messages.UNKNOWN_WITNESS.format(name=name))
            s.delete(row)

    def add_cosignature(self, cosigned_note: str) -> SignedCheckpoint:
        """Store the witness cosignatures found on a checkpoint note this log signed."""
        try:
            text, sigs = parse_note(cosigned_note)
            cp = Checkpoint.parse(text)
        except NoteError as exc:
            raise InvalidInput(str(exc)) from exc
        with self.db.session() as s:
            row = store.checkpoint_row(s, cp.size)
            if row is None or parse_note(row.note)[0] != text:
                raise Conflict(messages.STALE_COSIGNATURE.format(size=cp.size))
            verifiers = {(w.name, w.key_id): w for w in self._witness_verifiers(s)}
            stored = 0
            for sig in sigs:
                w = verifiers.get((sig.name, sig.key_id))
                if w is None:
                    continue
                if not w.verify(text.encode(), sig.sig):
                    raise InvalidInput(messages.BAD_SIGNATURE.format(name=sig.name))
                existing = {r.witness for r in store.cosignature_lines(s, cp.size)}
                if sig.name not in existing:
                    s.execute(
                        sa.insert(LedgerCosignature).values(
                            checkpoint_size=cp.size,
                            witness=sig.name,
                            line=sig.line(),
                            created_at=utcnow(),
                        )
                    )
                stored += 1
            if not stored:
                names = {sig.name for sig in sigs if sig.name != self.origin}
                raise InvalidInput(
                    messages.UNKNOWN_WITNESS.format(name=", ".join(sorted(names)) or "none")
                )
            s.flush()
            return self._signed(s, row)

    # ----- audit ----------------------------------------------------------------------------
    def audit(self) -> Any:
        from datanuri.ledger.audit import audit

        return audit(self)
