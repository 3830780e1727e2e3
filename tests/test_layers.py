"""The layer map of docs/architecture.md, checked on every import in `datanuri/` (AST only).

Imports inside functions and `if TYPE_CHECKING:` blocks count: they are dependencies too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "datanuri"
LAYERS = {  # top-level module -> rank; a module may import only ranks at or below its own
    **dict.fromkeys(["cli", "web", "demo", "client", "__init__"], 4),  # interfaces
    **dict.fromkeys(["platform", "models"], 3),  # wiring
    **dict.fromkeys(  # capabilities
        [
            "catalog",
            "accounts",
            "search",
            "metadata",
            "harvest",
            "privacy",
            "desk",
            "market",
            "notify",
            "audit",
            "decisions",
            "linkage",
            "oauth",
            "mydata",
            "synth",
        ],
        2,
    ),
    **dict.fromkeys(["ledger", "jobs"], 1),  # shared
    **dict.fromkeys(  # foundations
        [
            "tables",
            "store",
            "config",
            "config_reference",
            "errors",
            "events",
            "names",
            "canonical",
            "credentials",
            "regions",
            "i18n",
            "engine",
        ],
        0,
    ),
}


def imports(root: Path) -> list[tuple[str, str, str]]:
    """(importing top-level module, imported top-level module, "file:line") for every import."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        here = rel.parts[0].removesuffix(".py")
        package = ["datanuri", *rel.parts[:-1]]  # the package a relative import starts from
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + [base]).strip(".")
                # `from datanuri import errors` imports datanuri.errors, not the package root
                targets = [f"{base}.{a.name}" for a in node.names] if base == "datanuri" else [base]
            else:
                continue
            for target in targets:
                parts = target.split(".")
                if parts[0] == "datanuri":
                    there = parts[1] if len(parts) > 1 and parts[1] in LAYERS else "__init__"
                    if there != here:
                        found.append((here, there, f"{rel}:{node.lineno} imports {target}"))
    return found


def violations(edges: list[tuple[str, str, str]]) -> list[str]:
    """Imports that point up a layer, and imports that close a cycle between top-level modules."""
    bad = [
        f"{where} (layer {LAYERS[a]} -> {LAYERS[b]})"
        for a, b, where in edges
        if LAYERS[b] > LAYERS[a]
    ]
    graph: dict[str, set[str]] = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return False

    bad += [f"{where} (a cycle: {b} leads back to {a})" for a, b, where in edges if reaches(b, a)]
    return sorted(set(bad))


def test_every_import_points_down_and_no_cycles():
    found = violations(imports(PACKAGE))
    assert not found, "imports against the layer map:\n" + "\n".join(found)


def test_every_module_has_a_layer():
    modules = {
        p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()
    }
    assert modules - {"__pycache__"} <= set(LAYERS)


def test_the_checker_catches_made_up_violations(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "db.py").write_text("def f():\n    from datanuri.web import app\n")
    (tmp_path / "catalog.py").write_text("from datanuri import accounts\n")
    (tmp_path / "accounts.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .catalog import x\n"
    )
    found = violations(imports(tmp_path))
    assert found == [
        "accounts.py:3 imports datanuri.catalog (a cycle: catalog leads back to accounts)",
        "catalog.py:1 imports datanuri.accounts (a cycle: accounts leads back to catalog)",
        "store/db.py:2 imports datanuri.web (layer 0 -> 4)",
    ]
