"""The channels end to end, on both databases: notices written in the sender's transaction
(nothing if it rolls back), then sent by `notify.deliver` jobs: e-mail to the outbox in Korean
and English, signed webhooks over real HTTP to a loopback receiver that checks them, retries
after a 500, endpoints disabled after failures in a row, and the owner rules."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
import sqlalchemy as sa

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.mail import outbox_files
from datanuri.accounts.notifications import Event, Notice
from datanuri.accounts.request_tables import Notification
from datanuri.jobs.models import Job
from datanuri.notify.channels import KIND
from tests.helpers import PASSWORD, air_csv
from tests.notify.conftest import deliveries, drain

PURPOSE = "서울 대기질과 호흡기 질환 입원의 관계를 연구합니다."


@pytest.fixture
def people(np, tmp_path):
    acc = np.accounts
    for mail, name in [
        ("own@example.org", "소유자"),
        ("ed@example.org", "편집자"),
        ("kim@example.org", "김민지"),
    ]:
        acc.create_user(mail, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_organization("org-a", principal=SYSTEM)
    acc.add_member("org-a", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    return {
        m.split("@")[0]: acc.principal_for(m)
        for m in ("own@example.org", "ed@example.org", "kim@example.org")
    }


def mails(np) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in outbox_files(np.config.outbox_path)
    ]


def notice(user_id: int, event: Event | None = None) -> Notice:
    return Notice(
        user_id,
        "desk.test",
        ("새 요청이 도착했습니다.", "A new request arrived."),
        "/console/requests",
        event,
    )


def send(np, *notices: Notice) -> None:
    with np.db.session() as s:
        for n in notices:
            np.channels.notifier.notify(s, n)


def test_access_request_notice_goes_in_app_and_by_mail_in_both_languages(np, people, tmp_path):
    np.catalog.create_dataset(
        "air", organization="org-a", access_level="restricted", principal=SYSTEM
    )
    np.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    np.access_requests.request("air", purpose=PURPOSE, days=30, principal=people["kim"])
    with np.db.session() as s:  # the holder's owner and editor, in the app
        assert s.scalar(sa.select(sa.func.count(Notification.id))) == 2
    assert mails(np) == []  # nothing is sent before a worker runs the jobs
    assert {d.status for d in deliveries(np)} == {"pending"}
    drain(np)
    got = mails(np)
    assert sorted(m["To"] for m in got) == ["ed@example.org", "own@example.org"]
    body = got[0].get_content()
    assert "air" in body and "/console/requests" in body
    assert "이용 신청" in body or "신청" in body  # the Korean text
    assert "request" in body.lower()  # the English text
    assert "새 알림" in got[0]["Subject"] and "New notification" in got[0]["Subject"]
    assert {(d.channel, d.status, d.attempts) for d in deliveries(np)} == {("mail", "delivered", 1)}


def test_a_rolled_back_sender_sends_nothing(np, people, receiver):
    made = np.channels.webhooks.create(receiver.url, principal=people["kim"])
    receiver.secret = made.secret
    with pytest.raises(RuntimeError), np.db.session() as s:
        np.channels.notifier.notify(s, notice(people["kim"].user_id, Event("desk.test", {"n": 1})))
        s.flush()  # the rows were written ...
        raise RuntimeError("the sender fails after notifying")  # ... and are rolled back
    with np.db.session() as s:
        assert s.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == KIND)) == 0
        assert s.scalar(sa.select(sa.func.count(Notification.id))) == 0
    assert deliveries(np) == []
    drain(np)
    assert receiver.got == [] and mails(np) == []


def test_webhook_is_signed_and_verified_by_the_receiver(np, people, receiver):
    kim = people["kim"]
    made = np.channels.webhooks.create(receiver.url, kinds=["desk.*"], principal=kim)
    receiver.secret = made.secret
    assert made.secret.startswith("whsec_")
    assert made.secret not in json.dumps([str(e) for e in np.channels.webhooks.find(principal=kim)])
    send(
        np,
        notice(kim.user_id, Event("desk.request.created", {"request": 7, "title": "대기질"})),
        notice(kim.user_id, Event("market.order", {"order": 1})),  # not a kind it wants
        notice(kim.user_id),  # no event: no webhook
    )
    drain(np)
    (got,) = receiver.got
    assert got.verified
    doc = json.loads(got.body)
    assert doc["type"] == "desk.request.created"
    assert doc["data"] == {"request": 7, "title": "대기질"}
    assert got.headers["content-type"] == "application/json"
    (hook,) = [d for d in deliveries(np) if d.channel == "webhook"]
    assert (hook.status, hook.attempts, hook.response_status) == ("delivered", 1, 200)
    assert hook.message_id == got.headers["webhook-id"]
    assert len(mails(np)) == 3  # e-mail is on by default for every notice


def test_retry_after_a_500_then_success(np, people, receiver):
    kim = people["kim"]
    receiver.secret = np.channels.webhooks.create(receiver.url, principal=kim).secret
    receiver.answers = [500]
    send(np, notice(kim.user_id, Event("desk.request.created", {"request": 1})))
    drain(np)
    first, second = receiver.got
    assert first.verified and second.verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # receivers dedupe by it
    assert first.body == second.body
    (log,) = np.channels.webhooks.deliveries(
        np.channels.webhooks.find(principal=kim)[0].id, principal=kim
    )
    assert (log.status, log.attempts, log.response_status) == ("delivered", 2, 200)
    assert log.last_error is None
    assert np.channels.webhooks.find(principal=kim)[0].failures == 0  # reset by the success


def test_endpoint_is_disabled_after_failures_in_a_row(np, people, receiver):
    kim = people["kim"]
    made = np.channels.webhooks.create(receiver.url, principal=kim)
    receiver.secret = made.secret
    receiver.answers = [500] * 10
    send(np, notice(kim.user_id, Event("desk.request.created", {"request": 1})))
    drain(np)
    assert len(receiver.got) == 3  # webhook_disable_after = 3 (before attempts ran out: 4)
    (ep,) = np.channels.webhooks.find(principal=kim)
    assert not ep.enabled and ep.failures == 3
    assert "3 failed deliveries" in (ep.disabled_reason or "")
    (log,) = np.channels.webhooks.deliveries(ep.id, principal=kim)
    assert (log.status, log.attempts, log.response_status) == ("failed", 3, 500)
    assert log.last_error == "The receiver answered HTTP 500."
    # a disabled endpoint gets no new deliveries, and cannot be pinged until enabled again
    send(np, notice(kim.user_id, Event("desk.request.created", {"request": 2})))
    drain(np)
    assert len(receiver.got) == 3
    with pytest.raises(errors.Conflict):
        np.channels.webhooks.ping(ep.id, principal=kim)
    assert np.channels.webhooks.enable(ep.id, principal=kim).enabled
    receiver.answers = []  # fixed: it answers 200 again
    np.channels.webhooks.ping(ep.id, principal=kim)
    drain(np)
    assert json.loads(receiver.got[-1].body)["type"] == "webhook.ping"
    assert np.channels.webhooks.deliveries(ep.id, principal=kim)[0].status == "delivered"


def test_unreachable_receiver_fails_after_the_attempts(np, people, receiver):
    kim = people["kim"]
    np.channels.webhooks.create("http://127.0.0.1:9/closed", principal=kim)  # discard port
    send(np, notice(kim.user_id, Event("desk.request.created", {"request": 1})))
    drain(np)
    (hook,) = [d for d in deliveries(np) if d.channel == "webhook"]
    assert hook.status == "failed" and hook.attempts == 3  # disabled at the third
    assert hook.response_status is None and "could not be reached" in (hook.last_error or "")


def test_ssrf_targets_are_refused_at_registration_and_at_delivery(np, people, receiver):
    kim = people["kim"]
    hooks = np.channels.webhooks
    for url in ("https://10.0.0.5/hook", "https://169.254.169.254/latest", "http://example.org/x"):
        with pytest.raises(errors.InvalidInput):
            hooks.create(url, principal=kim)
    # a name that resolved to a public address at registration and to a private one later
    answers = {"hooks.example.org": ["93.184.216.34"]}
    hooks.resolver = np.channels.sender.resolver = lambda host, port: answers[host]
    ep = hooks.create("https://hooks.example.org/in", principal=kim).endpoint
    answers["hooks.example.org"] = ["192.168.1.20"]
    send(np, notice(kim.user_id, Event("desk.request.created", {})))
    drain(np)
    (log,) = hooks.deliveries(ep.id, principal=kim)
    assert log.status == "failed" and "192.168.1.20" in (log.last_error or "")
    assert log.response_status is None


def test_an_organisation_endpoint_hears_an_event_once(np, people, receiver):
    own, ed, kim = people["own"], people["ed"], people["kim"]
    made = np.channels.webhooks.create(receiver.url, organization="org-a", principal=own)
    receiver.secret = made.secret
    assert made.endpoint.owner == "org:org-a"
    happening = Event("desk.request.created", {"request": 3}, org="org-a")
    send(np, notice(own.user_id, happening), notice(ed.user_id, happening))
    drain(np)
    assert len(receiver.got) == 1 and receiver.got[0].verified
    # only the organisation's owners (and admins) manage it; to others it does not exist
    with pytest.raises(errors.PermissionDenied):
        np.channels.webhooks.create(receiver.url, organization="org-a", principal=ed)
    with pytest.raises(errors.NotFound):
        np.channels.webhooks.delete(made.endpoint.id, principal=ed)
    with pytest.raises(errors.NotFound):
        np.channels.webhooks.deliveries(made.endpoint.id, principal=kim)
    assert np.channels.webhooks.find(principal=ed) == []
    assert [e.id for e in np.channels.webhooks.find(principal=SYSTEM)] == [made.endpoint.id]
    assert np.channels.webhooks.delete(made.endpoint.id, principal=own).id == made.endpoint.id
    assert np.channels.webhooks.find(principal=own) == []


def test_email_can_be_turned_off(np, people):
    kim = people["kim"]
    prefs = np.channels.preferences
    assert prefs.get(principal=kim).email is True
    assert prefs.set(email=False, principal=kim).email is False
    send(np, notice(kim.user_id))
    drain(np)
    assert mails(np) == [] and deliveries(np) == []
    with np.db.session() as s:  # the in-app notice is always kept
        assert s.scalar(sa.select(sa.func.count(Notification.id))) == 1
    prefs.set(email=True, principal=kim)
    send(np, notice(kim.user_id))
    drain(np)
    assert len(mails(np)) == 1
    with pytest.raises(errors.NotAuthenticated):
        prefs.get(principal=SYSTEM)


def test_the_call_goes_to_the_checked_address_with_the_urls_host(np, people, receiver):
    kim = people["kim"]
    port = receiver.url.split(":")[2].split("/")[0]
    made = np.channels.webhooks.create(f"http://localhost:{port}/hook", principal=kim)
    receiver.secret = made.secret
    looked_up: list[str] = []

    def dns(host, p):
        looked_up.append(host)
        return ["127.0.0.1"]

    np.channels.sender.resolver = dns
    send(np, notice(kim.user_id, Event("desk.request.created", {})))
    drain(np)
    (got,) = receiver.got
    assert got.verified and got.headers["host"] == f"localhost:{port}"
    assert looked_up == ["localhost"]  # checked once, and that address was called
