"""The pure rules: which URLs may be called (the SSRF guard), event kind filters, and what a
failed attempt leads to."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.notify.settings import after_attempt, clean_kinds, wants
from datanuri.notify.urls import UrlPolicy, check_url

PUBLIC = UrlPolicy()
LOOPBACK = UrlPolicy(allow_loopback=True)
PRIVATE = UrlPolicy(allow_private=True)


def resolver(table: dict[str, list[str]]):
    return lambda host, port: table[host]


DNS = resolver(
    {
        "hooks.example.org": ["93.184.216.34"],
        "internal.example.org": ["10.1.2.3"],
        "metadata.example.org": ["169.254.169.254"],
        "sneaky.example.org": ["93.184.216.34", "192.168.0.10"],
        "mapped.example.org": ["::ffff:10.0.0.1"],
        "v6.example.org": ["2606:4700::1111"],
        "cgnat.example.org": ["100.64.0.1"],
        "localhost": ["127.0.0.1"],
        "127.0.0.1": ["127.0.0.1"],
    }
)


@pytest.mark.parametrize(
    "url", ["https://hooks.example.org/in", "https://v6.example.org:8443/x?y=1"]
)
def test_public_https_is_allowed(url):
    assert check_url(f"  {url} ", PUBLIC, resolver=DNS) == url


@pytest.mark.parametrize(
    ("url", "policy", "why"),
    [
        ("http://hooks.example.org/in", PUBLIC, "must use https"),
        ("http://hooks.example.org/in", LOOPBACK, "must use https"),
        ("http://127.0.0.1:9000/in", PUBLIC, "must use https"),
        ("https://127.0.0.1:9000/in", PUBLIC, "private, loopback"),
        ("https://internal.example.org/in", PUBLIC, "10.1.2.3"),
        ("https://internal.example.org/in", LOOPBACK, "10.1.2.3"),
        ("https://metadata.example.org/latest", PUBLIC, "169.254.169.254"),
        ("https://sneaky.example.org/in", PUBLIC, "192.168.0.10"),  # any one address is enough
        ("https://mapped.example.org/in", PUBLIC, "::ffff:10.0.0.1"),
        ("https://cgnat.example.org/in", PUBLIC, "100.64.0.1"),
        ("ftp://hooks.example.org/in", PUBLIC, "not a valid"),
        ("https:///in", PUBLIC, "not a valid"),
        ("https://hooks.example.org:99999/in", PUBLIC, "not a valid"),
    ],
)
def test_refused_targets(url, policy, why):
    with pytest.raises(errors.InvalidInput, match=why):
        check_url(url, policy, resolver=DNS)


def test_flags_open_loopback_and_private_targets():
    assert check_url("http://127.0.0.1:9000/in", LOOPBACK, resolver=DNS)
    assert check_url("http://localhost:9000/in", LOOPBACK, resolver=DNS)
    assert check_url("https://internal.example.org/in", PRIVATE, resolver=DNS)
    with pytest.raises(errors.InvalidInput, match="must use https"):
        check_url("http://internal.example.org/in", PRIVATE, resolver=DNS)


def test_an_unknown_host_is_refused():
    def fails(host, port):
        raise OSError("Name or service not known")

    with pytest.raises(errors.InvalidInput, match="could not be resolved"):
        check_url("https://nowhere.invalid/in", PUBLIC, resolver=fails)


def test_kind_filters():
    assert clean_kinds([" Desk.* ", "desk.*", "", "access.requested"]) == [
        "desk.*",
        "access.requested",
    ]
    with pytest.raises(errors.InvalidInput):
        clean_kinds(["desk.*.x"])
    assert wants([], "anything.at.all")
    assert wants(["desk.*"], "desk.request.created")
    assert not wants(["desk.*"], "market.order")
    assert wants(["market.order", "access.requested"], "access.requested")


def test_after_attempt():
    assert after_attempt(ok=True, failures=2, final=False, disable_after=3).outcome == "delivered"
    assert after_attempt(ok=True, failures=2, final=False, disable_after=3).failures == 0
    retry = after_attempt(ok=False, failures=0, final=False, disable_after=3)
    assert (retry.outcome, retry.failures, retry.disable) == ("retry", 1, False)
    last = after_attempt(ok=False, failures=0, final=True, disable_after=3)
    assert (last.outcome, last.disable) == ("failed", False)
    off = after_attempt(ok=False, failures=2, final=False, disable_after=3)
    assert (off.outcome, off.failures, off.disable) == ("failed", 3, True)


def test_calls_are_pinned_to_the_checked_address():
    from datanuri.notify.urls import check_target, pinned

    v4 = pinned(check_target("https://hooks.example.org:8443/in?a=1", PUBLIC, resolver=DNS))
    assert (v4.url, v4.host_header, v4.sni_hostname) == (
        "https://93.184.216.34:8443/in?a=1",
        "hooks.example.org:8443",
        "hooks.example.org",
    )
    v6 = pinned(check_target("https://v6.example.org/x", PUBLIC, resolver=DNS))
    assert (v6.url, v6.host_header) == ("https://[2606:4700::1111]/x", "v6.example.org")
    plain = pinned(check_target("http://localhost:9000/in", LOOPBACK, resolver=DNS))
    assert (plain.url, plain.host_header, plain.sni_hostname) == (
        "http://127.0.0.1:9000/in",
        "localhost:9000",
        None,
    )
