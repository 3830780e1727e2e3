"""User-facing messages of record linkage, written once and imported by tests."""

from __future__ import annotations

MSG_SALT_EXISTS = (
    "The salt file {path} already exists; a project's salt is never replaced. Use it, or write "
    "the new salt to another path."
)
MSG_SALT_UNREADABLE = (
    "The salt file {path} cannot be read as a linkage salt (base64 or hex of at least 32 bytes). "
    "Ask the project's key authority for the salt file, or make one with `datanuri linkage salt PATH`."
)
