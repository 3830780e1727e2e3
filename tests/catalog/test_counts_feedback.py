"""View/download counts (one atomic upsert, parallel-safe) and 문의/오류 신고 to the holder."""

from __future__ import annotations

import threading

import pytest

from datanuri import errors
from datanuri.accounts.principal import ANONYMOUS, SYSTEM
from datanuri.catalog.counts import Counts, RecentViews, bump_by_name
from tests.helpers import PASSWORD, air_csv


@pytest.fixture
def setup(platform, tmp_path):
    acc = platform.accounts
    acc.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    acc.create_organization("busan", title="부산광역시", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    platform.catalog.create_dataset(
        "secret",
        organization="seoul",
        access_level="personal",
        metadata_public=False,
        principal=SYSTEM,
    )
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    for email, org, role in (
        ("kim@example.org", "seoul", "editor"),
        ("lee@example.org", "busan", "editor"),
        ("park@example.org", None, None),
    ):
        acc.create_user(
            email, display_name=email.split("@")[0], password=PASSWORD, principal=SYSTEM
        )
        if org:
            acc.add_member(org, email, role=role, principal=SYSTEM)
    return platform


def test_downloads_are_counted_by_the_catalog(setup):
    p = setup
    assert p.counts.get("air", principal=ANONYMOUS) == Counts(0, 0)
    for fmt in ("csv", "json"):
        b"".join(p.catalog.download("air", format=fmt, principal=ANONYMOUS))
    assert p.counts.get("air", principal=ANONYMOUS) == Counts(0, 2)
    with pytest.raises(errors.DatanuriError):  # refused downloads count nothing
        p.catalog.download("secret", format="csv", principal=ANONYMOUS)
    assert p.counts.for_names(["secret"], principal=SYSTEM) == {"secret": Counts(0, 0)}


def test_views_count_once_per_visitor_and_minute(setup):
    p = setup
    assert p.counts.record_view("air", visitor="a", principal=ANONYMOUS)
    assert not p.counts.record_view("air", visitor="a", principal=ANONYMOUS)
    assert p.counts.record_view("air", visitor="b", principal=ANONYMOUS)
    # a dataset the caller may not see is neither counted nor shown
    assert not p.counts.record_view("secret", visitor="a", principal=ANONYMOUS)
    assert p.counts.for_names(["air", "secret"], principal=ANONYMOUS) == {"air": Counts(2, 0)}


def test_recent_views_window_and_bound():
    now = [0.0]
    recent = RecentViews(window=60, size=2, clock=lambda: now[0])
    assert recent.first("a", "x") and not recent.first("a", "x")
    now[0] = 61
    assert recent.first("a", "x")
    assert recent.first("b", "x") and recent.first("c", "x")  # "a" is forgotten (size 2)
    assert recent.first("a", "x")


def test_parallel_counts_are_not_lost(setup):
    p = setup

    def work() -> None:
        for _ in range(10):
            with p.db.session() as s:
                bump_by_name(s, "air", downloads=1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert p.counts.get("air", principal=SYSTEM).downloads == 40


def test_feedback_goes_to_the_holders_editors(setup):
    p = setup
    park = p.accounts.principal_for("park@example.org")
    kim = p.accounts.principal_for("kim@example.org")
    lee = p.accounts.principal_for("lee@example.org")
    with pytest.raises(errors.NotAuthenticated):
        p.feedback.send("air", kind="question", text="단위가 뭔가요?", principal=ANONYMOUS)
    with pytest.raises(errors.InvalidInput, match="kind"):
        p.feedback.send("air", kind="spam", text="x", principal=park)
    with pytest.raises(errors.InvalidInput, match="empty"):
        p.feedback.send("air", kind="error", text="   ", principal=park)
    with pytest.raises(errors.NotFound):  # a dataset park may not see
        p.feedback.send("secret", kind="error", text="?", principal=park)
    sent = p.feedback.send(
        "air",
        kind="error",
        text="3행 PM10 값이 음수입니다.",
        contact="010-1234-5678",
        principal=park,
    )
    assert sent.sender == "park" and sent.status == "open"
    inbox = p.feedback.for_editor(principal=kim)
    assert [f.id for f in inbox] == [sent.id] and inbox[0].dataset_title == "대기질"
    assert p.feedback.for_editor(principal=lee) == []  # another organisation's editor
    with pytest.raises(errors.NotFound):
        p.feedback.handle(sent.id, status="closed", principal=lee)
    with pytest.raises(errors.NotFound):
        p.feedback.handle(sent.id, status="closed", principal=park)  # the sender is not the holder
    done = p.feedback.handle(sent.id, status="answered", answer="고쳤습니다.", principal=kim)
    assert done.status == "answered" and done.answer == "고쳤습니다."
    assert p.feedback.mine("air", principal=park)[0].answer == "고쳤습니다."
    assert p.feedback.for_editor(principal=kim, status="open") == []
    with pytest.raises(errors.InvalidInput, match="status"):
        p.feedback.handle(sent.id, status="deleted", principal=kim)


def test_a_user_sends_at_most_ten_an_hour(setup):
    p = setup
    park = p.accounts.principal_for("park@example.org")
    for i in range(10):
        p.feedback.send("air", kind="question", text=f"질문 {i}", principal=park)
    with pytest.raises(errors.RateLimited):
        p.feedback.send("air", kind="question", text="하나 더", principal=park)
    kim = p.accounts.principal_for("kim@example.org")
    assert len(p.feedback.for_editor(principal=kim)) == 10
