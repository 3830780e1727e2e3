"""The real client's address: the peer, or behind a trusted reverse proxy, X-Forwarded-For.

Only proxies listed in `Config.trusted_proxies` may name the client; from any other peer the
header is ignored, so a client cannot pick its own rate-limit bucket or access-log address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "unknown"


def networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """Parse the configured proxies (already checked by `Config`)."""
    return tuple(ipaddress.ip_network(s, strict=False) for s in specs)


def _address(text: str) -> Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(addr: Address, proxies: tuple[Network, ...]) -> bool:
    return any(addr.version == n.version and addr in n for n in proxies)


def real_client(peer: str | None, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: walk X-Forwarded-For from the right while each hop is a trusted
    proxy; the first address that is not one is the client."""
    if not peer:
        return UNKNOWN
    current = _address(peer)
    if current is None or not proxies or not _trusted(current, proxies):
        return peer
    forwarded = ",".join(forwarded_for)  # repeated headers join in order
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        addr = _address(hop)
        if addr is None:
            break  # a malformed hop: trust nothing to its left
        current = addr
        if not _trusted(addr, proxies):
            break
    return str(current)
