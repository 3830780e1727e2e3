"""Undecodable URLs get a clear 400 (JSON on API routes, a Korean page in the browser), sent over
a raw socket to a real uvicorn server so nothing re-encodes the bytes on the way."""

from __future__ import annotations

import json
import socket

import pytest

from datanuri.web.urls import MSG_BAD_URL, decodable

KO, EN = MSG_BAD_URL


def raw_get(base: str, target: bytes, accept: str = "*/*") -> tuple[int, dict[str, str], bytes]:
    """Send one GET with `target` byte for byte; return status, headers and body."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            b"GET "
            + target
            + b" HTTP/1.1\r\nHost: "
            + host.encode()
            + b"\r\nAccept: "
            + accept.encode()
            + b"\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2 :]
        body = out
    return status, headers, body


def _api_error(body: bytes) -> dict:
    payload = json.loads(body)
    assert payload["error"]["code"] == "bad_url"
    message = payload["error"]["message"]
    assert KO in message and EN in message and "--data-urlencode" in message
    return payload


RAW_HANGUL = "대기질".encode()


@pytest.mark.parametrize(
    "target",
    [
        b"/api/v1/search?q=" + RAW_HANGUL,  # raw bytes: refused by the HTTP parser itself
        b"/api/v1/datasets/" + RAW_HANGUL,
        b"/api/v1/search?q=%FF",  # escapes that are not UTF-8, or not escapes
        b"/api/v1/search?q=%ED%95",
        b"/api/v1/search?q=100%zz",
        b"/api/v1/datasets/%FF",
    ],
)
def test_api_answers_json_400_for_undecodable_urls(live_server: str, target: bytes) -> None:
    status, headers, body = raw_get(live_server, target)
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    assert headers["x-content-type-options"] == "nosniff"  # the security headers too
    _api_error(body)


@pytest.mark.parametrize(
    "target",
    [b"/api/3/action/package_search?q=" + RAW_HANGUL, b"/api/3/action/package_search?q=%FF"],
)
def test_ckan_answers_its_envelope(live_server: str, target: bytes) -> None:
    status, headers, body = raw_get(live_server, target)
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["success"] is False
    assert KO in payload["error"]["message"] and EN in payload["error"]["message"]


def test_the_encoded_form_is_answered(live_server: str) -> None:
    """What the message tells people to send works (the README's query, encoded)."""
    status, _, body = raw_get(
        live_server, b"/api/3/action/package_search?q=%EB%8C%80%EA%B8%B0%EC%A7%88"
    )
    assert status == 200
    assert json.loads(body)["success"] is True
    status, _, _ = raw_get(live_server, b"/api/v1/search?q=a+b%20c")
    assert status == 200


def test_browser_gets_a_korean_page(live_server: str) -> None:
    status, headers, body = raw_get(live_server, b"/search?q=%FF", accept="text/html")
    assert status == 400
    assert headers["content-type"].startswith("text/html")
    page = body.decode("utf-8")
    assert "요청이 올바르지 않습니다" in page and KO.split(".")[0] in page


def dict_headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def test_keep_alive_connection_after_a_good_request(live_server: str) -> None:
    """A refused raw request line on a connection that served a request first is still JSON."""
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        first = sock.recv(65536)
        while b"\r\n\r\n" not in first:
            first += sock.recv(65536)
        head, _, body = first.partition(b"\r\n\r\n")
        length = int(dict_headers(head).get("content-length", "0"))
        while len(body) < length:  # the body may come in a later packet
            body += sock.recv(65536)
        assert b" 200 " in first.split(b"\r\n")[0]
        sock.sendall(b"GET /api/v1/search?q=" + RAW_HANGUL + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400")
    _api_error(data.partition(b"\r\n\r\n")[2])


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        (b"/api/v1/datasets/air", True),
        (b"q=%EB%8C%80%EA%B8%B0", True),
        (b"q=a+b&x=%2F", True),
        (b"", True),
        (b"q=%FF", False),
        (b"q=%ED%95", False),
        (b"q=%zz", False),
        (b"q=100%", False),
        ("q=대기".encode(), False),
    ],
)
def test_decodable(raw: bytes, ok: bool) -> None:
    assert decodable(raw) is ok
