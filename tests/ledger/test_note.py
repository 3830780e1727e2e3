"""Signed notes, checkpoints and cosignatures (pure, no database)."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest

from datanuri.ledger import cosign, messages, note
from datanuri.ledger.checkpoint import Checkpoint, add_signature_lines, open_checkpoint

# The worked example published with the Go sumdb/note package documentation.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_known_note_verifies_and_alterations_fail():
    v = note.ed25519_verifier(GO_VKEY)
    text, sigs = note.open_note(GO_NOTE, [v])
    assert text.startswith("If you think") and sigs[0].name == "PeterNeumann"
    with pytest.raises(note.NoteError) as e:
        note.open_note(GO_NOTE.replace("problem,", "problem;"), [v])
    assert str(e.value) == messages.BAD_SIGNATURE.format(name="PeterNeumann")


def test_key_id_and_vkey_follow_the_spec():
    s = note.Ed25519Signer.generate("example.org/log")
    assert s.key_id == hashlib.sha256(b"example.org/log\n\x01" + s.public_key).digest()[:4]
    name, alg, pub = note.parse_vkey(s.vkey())
    assert (name, alg, pub) == ("example.org/log", 1, s.public_key)
    again = note.load_signer(s.skey())
    assert again.vkey() == s.vkey()
    w = note.CosignatureSigner.generate("witness.example/w1")
    assert w.key_id == hashlib.sha256(b"witness.example/w1\n\x04" + w.public_key).digest()[:4]
    assert isinstance(note.load_signer(w.skey()), note.CosignatureSigner)
    with pytest.raises(note.NoteError):
        note.parse_vkey(s.vkey().replace("+", "+0", 1))
    with pytest.raises(note.NoteError):
        note.Ed25519Signer.generate("bad name")


def test_sign_and_open_with_unknown_and_bad_signatures():
    log = note.Ed25519Signer.generate("example.org/log")
    other = note.Ed25519Signer.generate("other.example/log")
    signed = note.sign_note("hello\nworld\n", log, other)
    assert signed.count("\u2014 ") == 2
    text, good = note.open_note(signed, [log.verifier()])
    assert text == "hello\nworld\n" and [g.name for g in good] == ["example.org/log"]
    with pytest.raises(note.NoteError):  # nobody we trust signed it
        note.open_note(note.sign_note("hello\n", other), [log.verifier()])
    forged = note.Signature(log.name, log.key_id, b"\x00" * 64).line()
    with pytest.raises(note.NoteError):
        note.open_note("hello\n\n" + forged, [log.verifier()])
    for bad in ["no newline", "two\n\nblank\n", "bell\x07\n"]:
        with pytest.raises(note.NoteError):
            note.sign_note(bad, log)


def test_checkpoint_round_trip_and_origin_check():
    log = note.Ed25519Signer.generate("datanuri.test/ledger")
    cp = Checkpoint("datanuri.test/ledger", 7, bytes(range(32)))
    assert (
        cp.body()
        == "datanuri.test/ledger\n7\n" + base64.b64encode(bytes(range(32))).decode() + "\n"
    )
    signed = note.sign_note(cp.body(), log)
    assert open_checkpoint(signed, log.verifier()) == cp
    impostor = note.Ed25519Signer.generate("datanuri.test/ledger")
    with pytest.raises(note.NoteError):
        open_checkpoint(signed, impostor.verifier())
    for body in ["x\n07\n" + base64.b64encode(bytes(32)).decode() + "\n", "x\n7\nAAAA\n", "x\n7\n"]:
        with pytest.raises(note.NoteError):
            Checkpoint.parse(body)


def test_cosignature_v1_format_and_verification():
    log = note.Ed25519Signer.generate("datanuri.test/ledger")
    w = note.CosignatureSigner.generate("witness.test/w1")
    body = Checkpoint("datanuri.test/ledger", 3, bytes(32)).body()
    sig = cosign.cosign(body, w, timestamp=1_700_000_000)
    assert struct.unpack(">Q", sig.sig[:8])[0] == 1_700_000_000 and len(sig.sig) == 72
    # the signed message is exactly "cosignature/v1\ntime T\n" + body
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(w.public_key).verify(
        sig.sig[8:], f"cosignature/v1\ntime 1700000000\n{body}".encode()
    )
    signed = add_signature_lines(note.sign_note(body, log), [sig.line()])
    wv = cosign.CosignatureVerifier.from_vkey(w.vkey())
    assert cosign.valid_cosigners(signed, [wv]) == ["witness.test/w1"]
    assert (
        open_checkpoint(signed, log.verifier()).size == 3
    )  # cosignature lines do not disturb the log signature
    other_body = Checkpoint("datanuri.test/ledger", 4, bytes(32)).body()
    moved = add_signature_lines(note.sign_note(other_body, log), [sig.line()])
    assert cosign.valid_cosigners(moved, [wv]) == []
