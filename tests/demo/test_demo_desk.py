"""The demo's data requests: one in every state the desk knows, with supporters, the overdue one
escalated; loading again files nothing new."""

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.desk import EV_TITLE, REQUESTS, demo_request_id
from datanuri.demo.load import load_demo
from datanuri.desk.service import RequestFilter


def test_demo_requests_in_every_state(loaded_demo):
    platform, src = loaded_demo
    items = platform.desk.find(RequestFilter(limit=50), principal=SYSTEM).items
    assert len(items) == len(REQUESTS)
    by_title = {r.title: r for r in items}
    state = {d.state: by_title[d.title] for d in REQUESTS}
    assert state["filed"].status == "filed" and state["filed"].organization is None
    assert state["routed"].status == "routed" and not state["routed"].overdue
    late = state["overdue"]
    assert late.status == "routed" and late.overdue and late.escalated
    assert state["extended"].extended and state["extended"].status == "routed"
    assert state["processing"].status == "processing"
    provided = state["provided"]
    assert provided.status == "provided" and provided.answer is not None
    assert provided.answer.dataset == "seoul-public-wifi"
    disputed, decided = state["disputed"], state["decided"]
    assert disputed.status == "refused" and disputed.dispute and disputed.dispute.status == "open"
    assert decided.dispute and decided.dispute.status == "dismissed"
    assert state["withdrawn"].status == "withdrawn"
    moved = state["transferred"]
    assert moved.status == "routed" and moved.organization == "seoul-metro-gov"
    actions = [h.action for h in platform.desk.history(moved.id, principal=SYSTEM)]
    assert "transferred" in actions
    ev = platform.desk.get(demo_request_id(platform, EV_TITLE), principal=SYSTEM)
    assert ev.supporters == 3  # the requester and two citizens

    load_demo(platform, src)  # again: nothing new
    assert platform.desk.find(RequestFilter(limit=50), principal=SYSTEM).total == len(REQUESTS)
    assert platform.ledger.audit().ok
