"""The fast RFC 8785 canonicaliser gives exactly the `rfc8785` package's bytes (or its errors)."""

from __future__ import annotations

import datetime as dt
import random
import struct

import pytest
import rfc8785

from datanuri import canonical
from datanuri.events import Event
from datanuri.ledger import canonical_leaf

ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz0123456789 -_:@./",
    "측정소서울대기질데이터셋가나다라마바사아자차카타파하",  # Korean
    '"\\/\b\f\n\r\t\x00\x01\x1f\x7f\u2028\u2029',  # escapes and near-escapes
    "é日本語\ufeff\ue000\uffff",  # BMP, including the private use area and U+FFFF
    "😀𝄞\U00010000\U0010ffff",  # outside the BMP (UTF-16 surrogate pairs)
]


def _text(rng: random.Random, n: int = 12) -> str:
    alphabet = rng.choice(ALPHABETS) + ALPHABETS[0]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(n)))


def _float(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.3:
        return struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]  # any bit pattern
    if r < 0.5:
        return rng.choice(
            [
                0.0,
                -0.0,
                1.0,
                -1.5,
                0.1,
                1e21,
                1e-6,
                1e-7,
                123e20,
                1e20,
                5e-324,
                1.7976931348623157e308,
                2.0**53,
                0.000001234,
                100.0,
            ]
        )
    if r < 0.8:
        return round(rng.uniform(-1e6, 1e6), rng.randrange(0, 8))
    return rng.uniform(-1, 1) * 10.0 ** rng.randrange(-30, 30)


def _value(rng: random.Random, depth: int = 0):  # type: ignore[no-untyped-def]
    r = rng.random()
    if depth < 3 and r < 0.15:
        return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randrange(5))}
    if depth < 3 and r < 0.25:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if r < 0.55:
        return _text(rng)
    if r < 0.7:
        return rng.choice(
            [
                rng.randrange(-1000, 1000),
                rng.randrange(-(2**53) + 1, 2**53),
                rng.choice([2**53 - 1, -(2**53) + 1, 2**53, -(2**53), 2**64]),
            ]
        )
    if r < 0.85:
        return _float(rng)
    return rng.choice([True, False, None])


def _event(rng: random.Random, i: int) -> Event:
    return Event(
        type=rng.choice(["dataset.version.published", "access.granted", "데이터.공개"]),
        actor=f"user:{_text(rng)}",
        subject=f"dataset:{_text(rng)}@{i}",
        time=dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=rng.choice([0, 9, -5]))))
        + dt.timedelta(microseconds=rng.randrange(10**14)),
        hashes={_text(rng): f"sha256:{rng.getrandbits(256):064x}" for _ in range(rng.randrange(3))},
        data={_text(rng): _value(rng) for _ in range(rng.randrange(6))},
    )


def _same(obj) -> None:  # type: ignore[no-untyped-def]
    try:
        want = rfc8785.dumps(obj)
    except Exception as exc:  # the package rejects it: so must we, the same way
        with pytest.raises(type(exc)):
            canonical.dumps(obj)
        return
    assert canonical.dumps(obj) == want, obj


def test_generated_events_match_the_package():
    rng = random.Random(8785)
    for i in range(20_000):
        event = _event(rng, i)
        _same(event.to_json_obj())
        if i % 10 == 0:
            _same(_value(rng))


def test_numbers_match_the_package():
    rng = random.Random(1)
    for _ in range(20_000):
        _same([_float(rng)])
    for f in [float("nan"), float("inf"), -float("inf")]:
        _same({"x": f})
    for n in [2**53 - 1, 2**53, -(2**53) + 1, -(2**53), 10**30, 0, -1]:
        _same({"n": n})


def test_outside_the_fast_path_the_package_decides():
    surrogate = "\ud800"
    for obj in [
        {"a": (1, 2)},  # tuple
        {1: "int key"},
        {"😀": 1, "\ue000": 2, "a": 3},  # astral key: UTF-16 order differs from code point order
        {"k": surrogate},
        {"k": bytes(3)},
        {"k": {"nested": [1, 2.5, {"😀x": "y", "\uffff": "z"}]}},
        [True, False, None, "", [], {}],
    ]:
        _same(obj)


def test_event_leaf_is_package_exact():
    e = Event(
        type="dataset.version.published",
        actor="user:김철수",
        subject="dataset:서울-대기질@3",
        time=dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        hashes={"parquet": "sha256:" + "ab" * 32},
        data={
            "rows": 1234,
            "ratio": 0.125,
            "big": 1e21,
            "note": '측정소 "A"\n',
            "nested": {"b": [1, 2.0], "a": None},
        },
    )
    assert canonical_leaf(e) == rfc8785.dumps(e.to_json_obj())


def _leaf_or_error(event):  # type: ignore[no-untyped-def]
    try:
        return canonical_leaf(event)
    except Exception as exc:  # noqa: BLE001 - compared with the general path's error
        return type(exc)


def _general(event):  # type: ignore[no-untyped-def]
    """The leaf as it was computed before the fast path: the general canonicaliser of
    `to_json_obj()`, itself pinned to the package above."""
    try:
        return canonical.dumps(event.to_json_obj())
    except Exception as exc:  # noqa: BLE001
        return type(exc)


class _Text(str):
    """Not exactly a str: the fast path leaves it to the general one."""


def test_fast_leaf_is_byte_identical_to_the_general_path():
    rng = random.Random(22)
    for i in range(20_000):
        e = _event(rng, i)
        assert _leaf_or_error(e) == _general(e), e
    odd_times = [
        dt.datetime(999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),  # %Y writes 999, not 0999
        dt.datetime(1000, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 1, 8, 59, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        dt.datetime(2024, 6, 1, 12, 0, 0, 5),  # naive: local time, as to_json_obj reads it
    ]
    import types

    odd = [Event("a", "user:a", "s", t, {"h": "sha256:00"}, {"x": 1.5}) for t in odd_times] + [
        Event(_Text("a"), "user:a", "s", odd_times[1]),
        Event("a", _Text("user:a"), "s", odd_times[1]),
        Event("a", "user:a", "s", odd_times[1], types.MappingProxyType({"p": "q"})),
        Event("a", "user:a", "s", odd_times[1], data=types.MappingProxyType({"b": [1e21, {}]})),
        Event("a", "user:\ud800", "s", odd_times[1]),  # lone surrogate: rejected
        Event("a", "user:a", "s\U0001f600", odd_times[1], data={"😀": 1, "\ue000": 2}),
        Event("a", "user:a", "s", odd_times[1], data={"k": (1, 2)}),
        Event("a", "user:a", "s", odd_times[1], data={"nan": float("nan")}),  # rejected
        Event("a", "user:a", "s", odd_times[1], data={"k": bytes(2)}),  # rejected
        Event("a", "user:a", "s", "2024-01-01"),  # type: ignore[arg-type]  # not a datetime
    ]
    for e in odd:
        assert _leaf_or_error(e) == _general(e), e
