"""Which webhook URLs the server will call (an SSRF guard), checked when an endpoint is
registered and again before every delivery (a name may resolve elsewhere later).

https only; plain http only to the loopback names (127.0.0.1, ::1, localhost) and only when
`allow_loopback` is set (tests, the demo). Every address the host resolves to must be a public
one: loopback, private, link-local, shared, multicast and reserved addresses are refused unless
`allow_loopback` (loopback only) or `allow_private` (all of them, for receivers on an internal
network) says otherwise. The sender connects to the address that was checked (`pinned`: the
URL's host replaced by it, the Host header and the TLS server name kept), so a DNS answer that
changes after the check (rebinding) cannot redirect the call; redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from datanuri.errors import InvalidInput
from datanuri.notify import messages as M

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_URL = 2000

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class UrlPolicy:
    """What targets besides public https ones an instance allows (`Config.webhook_allow_*`)."""

    allow_loopback: bool = False
    allow_private: bool = False


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _refused(address: str, policy: UrlPolicy) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return False
    if ip.is_loopback:
        return not (policy.allow_loopback or policy.allow_private)
    return not policy.allow_private


@dataclass(frozen=True)
class Target:
    """A URL the server may call and the addresses its host resolved to when checked."""

    url: str
    host: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Pinned:
    """How to call a checked target at its checked address: the URL with the address for a
    host, the Host header and (https) the TLS server name, which stay the original host's."""

    url: str
    host_header: str
    sni_hostname: str | None


def pinned(target: Target) -> Pinned:
    """The call of `target` to its first checked address."""
    parts = urlsplit(target.url)
    address = target.addresses[0]
    where = f"[{address}]" if ":" in address else address
    netloc = where if parts.port is None else f"{where}:{parts.port}"
    host_header = parts.netloc.rpartition("@")[2]
    url = urlunsplit(SplitResult(parts.scheme, netloc, parts.path, parts.query, ""))
    return Pinned(url, host_header, target.host if parts.scheme == "https" else None)


def check_url(url: str, policy: UrlPolicy, *, resolver: Resolver = resolve) -> str:
    """`url` (stripped) if the server may call it; `InvalidInput` naming why not."""
    return check_target(url, policy, resolver=resolver).url


def check_target(url: str, policy: UrlPolicy, *, resolver: Resolver = resolve) -> Target:
    """`url` (stripped) with its checked addresses if the server may call it; `InvalidInput`
    naming why not."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidInput(M.BAD_URL.format(url=url[:200])) from exc
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(M.BAD_URL.format(url=url[:200]))
    if parts.scheme == "http" and not (policy.allow_loopback and host in LOOPBACK_NAMES):
        raise InvalidInput(M.HTTPS_ONLY)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise InvalidInput(M.UNRESOLVED.format(host=host, error=exc)) from exc
    if not addresses:
        raise InvalidInput(M.UNRESOLVED.format(host=host, error="no address"))
    for address in addresses:
        if _refused(address, policy):
            raise InvalidInput(M.PRIVATE_TARGET.format(host=host, address=address))
    return Target(url, host, tuple(addresses))
