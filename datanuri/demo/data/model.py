"""What the generator hands to the demo loader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DemoOrg:
    name: str  # URL-safe, e.g. "seoul-metro-gov"
    title: str  # Korean
    description: str
    official: bool = True  # a public agency (search ranks its data higher); not a private body


@dataclass(frozen=True)
class DemoDataset:
    org: str  # DemoOrg.name
    name: str  # URL-safe, unique
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str
    license: str
    access: str  # "open" | "restricted" | "personal"
    language: str  # "ko" | "en"
    spatial: str | None
    temporal_start: str | None
    temporal_end: str | None
    contact_name: str
    contact_email: str
    files: tuple[tuple[Path, str], ...]  # versions in order: (file, change note)
