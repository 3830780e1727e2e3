"""The demo's pending access request: the analyst asks for the restricted 112 calls once, the
publisher (an editor of the holder) has it to review, and loading again adds nothing."""

from datanuri.demo.load import DEMO_REQUEST, seed_demo_request


def test_the_demo_has_one_pending_request_for_the_holder(loaded_demo):
    platform, _ = loaded_demo
    email, dataset, purpose, days = DEMO_REQUEST
    publisher = platform.accounts.principal_for("publisher@datanuri.local")
    (waiting,) = platform.access_requests.for_holder(principal=publisher)
    assert (waiting.dataset, waiting.requester_email, waiting.days) == (dataset, email, days)
    assert waiting.purpose == purpose
    notices = platform.notifications.list(principal=publisher)
    # (the demo's data requests, demo/desk.py, notify the publisher too)
    assert [n.kind for n in notices if n.kind.startswith("access.")] == ["access.requested"]
    seed_demo_request(platform)  # again: still one
    analyst = platform.accounts.principal_for(email)
    assert len(platform.access_requests.mine(principal=analyst)) == 1
    types = [
        platform.ledger.public_receipt(i)["entry"]["type"] for i in range(platform.ledger.size())
    ]
    assert types.count("access.requested") == 1
    assert platform.ledger.audit().ok
