"""RFC 9162 hashing, proof generation and verification, against the known-answer vectors."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from pathlib import Path

import pytest

from datanuri.ledger import merkle
from tests.conftest import TESTDATA
from tests.ledger.memtree import MemTree

VECTORS = TESTDATA / "merkle"
BASE_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def _files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


def _id(p: Path) -> str:
    return str(p.relative_to(VECTORS))


def test_vectors_are_present():
    assert len(_files("inclusion")) > 50 and len(_files("consistency")) > 50


@pytest.mark.parametrize("path", _files("inclusion"), ids=_id)
def test_inclusion_vector(path: Path):
    case = json.loads(path.read_text())
    args = (
        case["leafIdx"],
        case["treeSize"],
        _b64(case["leafHash"]),
        [_b64(p) for p in case["proof"] or []],
        _b64(case["root"]),
    )
    if case["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.parametrize("path", _files("consistency"), ids=_id)
def test_consistency_vector(path: Path):
    case = json.loads(path.read_text())
    args = (
        case["size1"],
        case["size2"],
        _b64(case["root1"]),
        _b64(case["root2"]),
        [_b64(p) for p in case["proof"] or []],
    )
    if case["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


@pytest.mark.parametrize(
    "path", [p for p in _files("inclusion") if p.name == "happy-path.json"], ids=_id
)
def test_generated_inclusion_proofs_equal_the_vectors(path: Path):
    case = json.loads(path.read_text())
    tree = MemTree(BASE_LEAVES[: case["treeSize"]])
    assert tree.leaf_hashes[case["leafIdx"]] == _b64(case["leafHash"])
    assert merkle.root_at(case["treeSize"], tree.source) == _b64(case["root"])
    proof = merkle.inclusion_proof(case["leafIdx"], case["treeSize"], tree.source)
    assert proof == [_b64(p) for p in case["proof"] or []]


@pytest.mark.parametrize(
    "path", [p for p in _files("consistency") if p.name == "happy-path.json"], ids=_id
)
def test_generated_consistency_proofs_equal_the_vectors(path: Path):
    case = json.loads(path.read_text())
    tree = MemTree(BASE_LEAVES[: case["size2"]])
    assert merkle.root_at(case["size1"], tree.source) == _b64(case["root1"])
    assert merkle.root_at(case["size2"], tree.source) == _b64(case["root2"])
    proof = merkle.consistency_proof(case["size1"], case["size2"], tree.source)
    assert proof == [_b64(p) for p in case["proof"] or []]


def test_hash_domain_separation():
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.EMPTY_ROOT == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def _rfc_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 written as the recursive definition, for cross-checking."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = merkle.split_point(len(leaves))
    return merkle.node_hash(_rfc_mth(leaves[:k]), _rfc_mth(leaves[k:]))


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 9, 31, 33, 100])
def test_roots_proofs_and_frontier_agree_for_every_index_and_size(n: int):
    leaves = [f"leaf-{i}".encode() for i in range(n)]
    tree = MemTree(leaves)
    frontier: list[bytes] = []
    for i, h in enumerate(tree.leaf_hashes):
        new, frontier = merkle.nodes_completed_by(i, h, frontier)
        for level, idx, nh in new:
            assert tree.nodes[(level, idx)] == nh
        size = i + 1
        root = merkle.root_from_frontier(frontier)
        assert (
            root
            == _rfc_mth(leaves[:size])
            == merkle.root_at(size, tree.source)
            == merkle.root_from_leaf_hashes(tree.leaf_hashes[:size])
        )
    for size in range(1, n + 1):
        root = _rfc_mth(leaves[:size])
        for index in range(size):
            merkle.verify_inclusion(
                index,
                size,
                tree.leaf_hashes[index],
                merkle.inclusion_proof(index, size, tree.source),
                root,
            )
        for first in range(1, size + 1):
            proof = merkle.consistency_proof(first, size, tree.source)
            merkle.verify_consistency(first, size, _rfc_mth(leaves[:first]), root, proof)


def test_tampered_proofs_are_rejected():
    rng = random.Random(7)
    leaves = [bytes([i]) * 3 for i in range(37)]
    tree = MemTree(leaves)
    root = merkle.root_at(37, tree.source)
    for _ in range(50):
        i = rng.randrange(37)
        proof = merkle.inclusion_proof(i, 37, tree.source)
        j = rng.randrange(len(proof))
        bad = list(proof)
        bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(i, 37, tree.leaf_hashes[i], bad, root)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion((i + 1) % 37, 37, tree.leaf_hashes[i], proof, root)
    old = merkle.root_at(20, tree.source)
    proof = merkle.consistency_proof(20, 37, tree.source)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(20, 37, merkle.root_at(19, tree.source), root, proof)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(20, 37, old, merkle.root_at(36, tree.source), proof)


def test_decompose_rejects_unaligned_ranges():
    assert merkle.decompose(0, 7) == [(2, 0), (1, 2), (0, 6)]
    with pytest.raises(ValueError):
        merkle.decompose(1, 3)


def _rfc_inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 recurses, as ranges (the reference)."""

    def path(m: int, lo: int, hi: int) -> list[tuple[int, int]]:
        n = hi - lo
        if n == 1:
            return []
        k = merkle.split_point(n)
        return (
            path(m, lo, lo + k) + [(lo + k, hi)]
            if m < k
            else path(m - k, lo + k, hi) + [(lo, lo + k)]
        )

    return path(index, 0, size)


def _rfc_consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 recurses, as ranges (the reference)."""

    def subproof(m: int, lo: int, hi: int, b: bool) -> list[tuple[int, int]]:
        n = hi - lo
        if m == n:
            return [] if b else [(lo, hi)]
        k = merkle.split_point(n)
        if m <= k:
            return subproof(m, lo, lo + k, b) + [(lo + k, hi)]
        return subproof(m - k, lo + k, hi, False) + [(lo, lo + k)]

    return subproof(first, 0, second, True)


def test_unrolled_ranges_match_the_rfc_recursion():
    for size in range(1, 300):
        for i in range(size):
            assert merkle.inclusion_ranges(i, size) == _rfc_inclusion_ranges(i, size)
            assert merkle.consistency_ranges(i + 1, size) == _rfc_consistency_ranges(i + 1, size)
    for size, i in [(10**6, 123_456), (2**40 + 3, 2**39 + 1), (2**63 - 1, 2**62)]:
        assert merkle.inclusion_ranges(i, size) == _rfc_inclusion_ranges(i, size)
        assert merkle.consistency_ranges(i, size) == _rfc_consistency_ranges(i, size)
