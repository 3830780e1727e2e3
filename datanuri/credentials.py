"""Tokens stored by `datanuri login`, per server URL, in ~/.config/datanuri/credentials.toml (mode 600)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "datanuri" / "credentials.toml"


def stored_token(url: str) -> str | None:
    """The token `datanuri login` stored for a server URL, if any."""
    path = credentials_path()
    if not path.is_file():
        return None
    data = tomllib.loads(path.read_text("utf-8"))
    return (data.get("servers", {}).get(url.rstrip("/")) or {}).get("token")


def store_token(url: str, token: str, email: str) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}
    data.setdefault("servers", {})[url.rstrip("/")] = {"token": token, "email": email}
    lines = []
    for server, entry in data["servers"].items():
        lines.append(f'[servers."{server}"]')
        lines.extend(f"{k} = {json.dumps(str(v))}" for k, v in entry.items())
        lines.append("")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(tmp, path)
    return path
