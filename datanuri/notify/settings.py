"""How an instance's notification channels behave (from `Config.webhook_*`), pure."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from datanuri.errors import InvalidInput
from datanuri.notify import messages as M
from datanuri.notify.urls import UrlPolicy

KIND_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$|^\*$")
MAX_KINDS = 50


@dataclass(frozen=True)
class ChannelSettings:
    """Retries, the failure limit and the URL policy of webhooks; the site address of mails."""

    base_url: str = "http://127.0.0.1:8000"  # links in mails start with it
    urls: UrlPolicy = field(default_factory=UrlPolicy)
    webhook_attempts: int = 8  # tries of one delivery (the queue's backoff between them)
    mail_attempts: int = 3
    disable_after: int = 10  # failed attempts in a row that disable an endpoint
    timeout: float = 10.0  # seconds a receiver has to answer
    max_endpoints: int = 20  # per user or organisation


def clean_kinds(kinds: Iterable[str]) -> list[str]:
    """Event kind filters as stored: lower-case names or "prefix.*" patterns, each once."""
    out: list[str] = []
    for raw in kinds:
        kind = raw.strip().lower()
        if not kind:
            continue
        if not KIND_PATTERN.match(kind) or len(kind) > 100:
            raise InvalidInput(M.BAD_KINDS.format(kind=raw[:100]))
        if kind not in out:
            out.append(kind)
    if len(out) > MAX_KINDS:
        raise InvalidInput(M.BAD_KINDS.format(kind=out[MAX_KINDS]))
    return out


def wants(kinds: Iterable[str], kind: str) -> bool:
    """Whether an endpoint filtering on `kinds` ([] = everything) receives events of `kind`."""
    filters = list(kinds)
    return not filters or any(fnmatch.fnmatchcase(kind, f) for f in filters)


Outcome = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True)
class AfterAttempt:
    """What one webhook attempt leads to: the delivery's fate, the endpoint's count of failures
    in a row, and whether the endpoint is disabled now."""

    outcome: Outcome
    failures: int
    disable: bool


def after_attempt(*, ok: bool, failures: int, final: bool, disable_after: int) -> AfterAttempt:
    """A success resets the endpoint's failures; a failure counts one more, disables the endpoint
    at `disable_after`, and is retried unless this was the last attempt or it is disabled."""
    if ok:
        return AfterAttempt("delivered", 0, False)
    failures += 1
    disable = failures >= disable_after
    return AfterAttempt("failed" if final or disable else "retry", failures, disable)
