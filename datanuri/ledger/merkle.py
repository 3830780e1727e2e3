"""Merkle tree hashing, proofs and proof verification exactly as RFC 9162 (SHA-256).

Pure functions, no storage. A tree of n leaves is addressed by *complete subtrees*: the node at
`(level, index)` covers leaves `[index * 2**level, (index + 1) * 2**level)`; level 0 is a leaf
hash. Any range the RFC's recursion produces, `[start, end)`, is a run of such aligned complete
subtrees (`decompose`), so proof generation needs only O(log n) stored complete-subtree hashes,
fetched through a `NodeSource` (a function from a list of `(level, index)` keys to hashes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]  # (level, index)
NodeSource = Callable[[Sequence[NodeKey]], Mapping[NodeKey, bytes]]
Range = tuple[int, int]  # [start, end)


class ProofError(ValueError):
    """A proof did not verify (or was malformed)."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (a reference implementation, O(n) memory; used by audit/tests)."""
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    # Bottom-up pairing gives the same tree as the RFC's split at the largest power of two:
    # an odd node at the end of a level is promoted unchanged.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def decompose(start: int, end: int) -> list[NodeKey]:
    """The aligned complete subtrees covering `[start, end)`, left to right, largest first.

    Valid for every range the RFC 9162 recursion visits (its start is a multiple of a power of
    two at least as large as its split point).
    """
    parts: list[NodeKey] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start & ((1 << level) - 1):
            raise ValueError(f"range [{start}, {end}) is not a subtree of a Merkle tree")
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def fold_parts(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of `decompose(start, end)` into MTH(D[start:end])."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_keys(size: int) -> list[NodeKey]:
    """The complete subtrees making up a tree of `size` leaves (its right edge), largest first."""
    return decompose(0, size)


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    return fold_parts(frontier) if frontier else EMPTY_ROOT


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtree ranges whose hashes form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), in order.

    The RFC's recursion, unrolled: walking down from the root, each split contributes the other
    side's range; the proof lists them bottom-up.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    out: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # split_point(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[Range]:
    """The subtree ranges whose hashes form PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1).

    SUBPROOF(m, D[lo:hi], b) unrolled: each split contributes the other side's range (listed
    bottom-up), and the walk ends at a subtree of exactly m leaves, which is itself part of the
    proof unless it is the whole old tree (b still true).
    """
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    pending: list[Range] = []
    m, lo, hi, whole = first, 0, second, True
    while hi - lo != m:
        k = 1 << ((hi - lo - 1).bit_length() - 1)  # split_point(hi - lo)
        if m <= k:
            pending.append((lo + k, hi))
            hi = lo + k
        else:
            pending.append((lo, lo + k))
            m -= k
            lo += k
            whole = False
    out: list[Range] = [] if whole else [(lo, hi)]
    out.extend(reversed(pending))
    return out


def hash_ranges(ranges: Sequence[Range], source: NodeSource) -> list[bytes]:
    """MTH of each range, fetching all the complete subtrees needed in one call to `source`."""
    parts = [decompose(lo, hi) for lo, hi in ranges]
    keys = sorted({k for p in parts for k in p})
    got = source(keys)
    missing = [k for k in keys if k not in got]
    if missing:
        raise LookupError(f"missing stored Merkle nodes {missing[:5]}")
    return [fold_parts([got[k] for k in p]) for p in parts]


def inclusion_proof(index: int, size: int, source: NodeSource) -> list[bytes]:
    return hash_ranges(inclusion_ranges(index, size), source)


def consistency_proof(first: int, second: int, source: NodeSource) -> list[bytes]:
    return hash_ranges(consistency_ranges(first, second), source)


def root_at(size: int, source: NodeSource) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return hash_ranges([(0, size)], source)[0]


def nodes_completed_by(
    index: int, leaf: bytes, frontier: list[bytes]
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """Append leaf hash `leaf` at position `index` to a tree whose right edge is `frontier`.

    Returns the interior nodes `(level, idx, hash)` that become complete and the new frontier.
    """
    new_nodes: list[tuple[int, int, bytes]] = []
    frontier = list(frontier)
    h, level, i = leaf, 0, index
    while i & 1:
        h = node_hash(frontier.pop(), h)
        level += 1
        i >>= 1
        new_nodes.append((level, i, h))
    frontier.append(h)
    return new_nodes, frontier


# ----- verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------------


def _check_hashes(what: str, hashes: Iterable[bytes]) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"{what} has a hash of {len(h)} bytes, expected {HASH_SIZE}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a valid inclusion proof implies (RFC 9162 §2.1.3.2 steps 1-4); raises ProofError."""
    if index >= size or index < 0:
        raise ProofError(f"leaf index {index} is beyond the tree size {size}")
    _check_hashes("the leaf", [leaf])
    _check_hashes("the inclusion proof", proof)
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree (`size`, `root`)."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError("the inclusion proof does not lead to the checkpoint's root hash")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows tree (`first`, `first_root`) is a prefix of (`second`, `second_root`)."""
    if first <= 0:
        raise ProofError("a consistency proof from an empty tree proves nothing")
    if second < first:
        raise ProofError(f"the second tree ({second}) is smaller than the first ({first})")
    if first == second:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if first_root != second_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    _check_hashes("the consistency proof", proof)
    _check_hashes("a root", [first_root, second_root])
    path = list(proof)
    if first & (first - 1) == 0:  # first is an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than needed")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than needed")
    if fr != first_root:
        raise ProofError("the consistency proof does not lead to the first root")
    if sr != second_root:
        raise ProofError("the consistency proof does not lead to the second root")
