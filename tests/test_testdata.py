"""The test data in the repository is what its READMEs say it is, and nothing reads outside it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.conftest import TESTDATA

ROOT = Path(__file__).resolve().parents[1]


def _sums(folder: Path) -> list[tuple[str, str]]:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return [tuple(line.split(maxsplit=1)) for line in lines if line.strip()]  # type: ignore[misc]


@pytest.mark.parametrize("name", ["adult", "merkle"])
def test_checksums_match(name: str) -> None:
    folder = TESTDATA / name
    sums = _sums(folder)
    assert sums, f"{folder}/SHA256SUMS lists no file"
    for digest, rel in sums:
        assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == digest, rel


@pytest.mark.parametrize("name", ["adult", "merkle"])
def test_every_folder_says_source_licence_and_checksum(name: str) -> None:
    text = (TESTDATA / name / "README.md").read_text()
    for word in ("Source", "Licence", "Checksums"):
        assert f"**{word}:**" in text


def test_merkle_vectors_keep_their_licence() -> None:
    assert "Apache License" in (TESTDATA / "merkle" / "LICENSE").read_text()


def test_nothing_reads_outside_the_repository() -> None:
    """A lone clone has nothing beside it: no code, test, doc or build file may point there."""
    pattern = re.compile(r"\.\./shared|parents\[1\]\.parent")
    files = [ROOT / "README.md", ROOT / "Makefile", ROOT / ".ci" / "run"]
    for folder in ("datanuri", "tests", "benchmarks", "docs", "examples"):
        files += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.suffix in {".py", ".md", ".toml", ".html", ".js", ".sh"}
        ]
    here = Path(__file__).resolve()
    offenders = [
        str(p.relative_to(ROOT))
        for p in files
        if p.is_file() and p.resolve() != here and pattern.search(p.read_text(errors="replace"))
    ]
    assert offenders == []
