"""An in-memory node source for pure Merkle tests: every complete subtree of a list of leaf hashes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from datanuri.ledger import merkle


def complete_nodes(leaf_hashes: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
    nodes = {(0, i): h for i, h in enumerate(leaf_hashes)}
    level, row = 0, list(leaf_hashes)
    while len(row) > 1:
        row = [merkle.node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        nodes.update({(level, i): h for i, h in enumerate(row)})
    return nodes


class MemTree:
    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.leaf_hashes = [merkle.leaf_hash(d) for d in leaves]
        self.nodes = complete_nodes(self.leaf_hashes)

    def source(self, keys: Sequence[tuple[int, int]]) -> Mapping[tuple[int, int], bytes]:
        return {k: self.nodes[k] for k in keys if k in self.nodes}
