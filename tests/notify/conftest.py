"""A platform with a fast job queue and loopback webhooks allowed, a real HTTP receiver on
127.0.0.1 that checks every signature it gets, and `drain` to run the delivery jobs."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from datanuri.notify import verify_signature
from datanuri.notify.channels import KIND
from datanuri.notify.models import Delivery

FAST = {
    "job_workers": 0,
    "job_lease_seconds": 2.0,
    "job_heartbeat_seconds": 0.5,
    "job_poll_seconds": 0.05,
    "job_retry_seconds": 0.05,
    "webhook_allow_loopback": True,
    "webhook_attempts": 4,
    "webhook_disable_after": 3,
    "webhook_timeout_seconds": 5.0,
}


@pytest.fixture
def np(config: Any) -> Iterator[Any]:
    """A Platform on each backend whose notices are delivered only when a test drains them."""
    from datanuri.platform import Platform

    p = Platform(dataclasses.replace(config, **FAST))
    try:
        yield p
    finally:
        p.close()


def independent_signature(secret: str, msg_id: str, stamp: str, body: bytes) -> str:
    """The Standard Webhooks v1 signature, computed here without datanuri's code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, msg_id.encode() + b"." + stamp.encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool  # both checks passed: datanuri's verify_signature and the independent one


@dataclass
class Receiver:
    """What the loopback server got, and the status codes it answers with (then 200)."""

    url: str
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            rec = state["r"]
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                verify_signature(rec.secret, headers, body)
                mine = independent_signature(
                    rec.secret, headers["webhook-id"], headers["webhook-timestamp"], body
                )
                ok = mine in headers["webhook-signature"].split()
            except Exception:
                ok = False
            with rec.lock:
                rec.got.append(Received(headers, body, ok))
                code = rec.answers.pop(0) if rec.answers else 200
            self.send_response(code if ok else 401)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()


def pending(p: Any) -> int:
    with p.db.session() as s:
        return int(
            s.scalar(sa.select(sa.func.count(Delivery.id)).where(Delivery.status == "pending")) or 0
        )


def drain(p: Any, *, rounds: int = 200) -> None:
    """Run the delivery jobs (retries included: the queue's backoff is 50 ms here) until no
    delivery is pending."""
    for _ in range(rounds):
        p.jobs.work(concurrency=1, kinds=[KIND], once=True, grace=5)
        if pending(p) == 0:
            return
        time.sleep(0.05)
    raise AssertionError("deliveries still pending")


def deliveries(p: Any) -> list[Delivery]:
    with p.db.session() as s:
        return list(s.scalars(sa.select(Delivery).order_by(Delivery.id)))
