"""Linkage keys: HMAC-SHA-256 as `hmac` computes it; one person, one key; salts kept apart."""

from __future__ import annotations

import hashlib
import hmac
import os

import pyarrow as pa
import pytest

from datanuri.errors import InvalidInput
from datanuri.linkage.keys import (
    KeySpec,
    hmac_hex,
    key_message,
    linkage_keys,
    read_salt_file,
    subkey,
    write_salt_file,
)

SALT = bytes(range(32))


@pytest.mark.parametrize("key", [b"k" * 32, b"short", b"x" * 100])
def test_hmac_in_duckdb_is_hmac_sha256(key):
    values = ["홍길동", "", "a" * 200, None, "01012345678"]
    got = hmac_hex(pa.array(values, pa.string()), key).to_pylist()
    want = [
        None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values
    ]
    assert got == want


def test_same_person_written_differently_gets_the_same_keys():
    a = pa.table(
        {
            "성명": ["홍 길동", "김철수"],
            "생년월일": ["1990년 1월 2일", "1985.3.4"],
            "휴대폰": ["+82 10-1234-5678", "010-2222-3333"],
        }
    )
    b = pa.table(
        {
            "name": ["홍길동", "김 철 수"],
            "birth": ["900102-1", "19850304"],
            "phone": ["０１０１２３４５６７８", "01022223333"],
        }
    )
    specs_a = [
        KeySpec("name_birth", ("성명", "생년월일"), ("name", "date")),
        KeySpec("phone", ("휴대폰",), ("phone",)),
    ]
    specs_b = [
        KeySpec("name_birth", ("name", "birth"), ("name", "date")),
        KeySpec("phone", ("phone",), ("phone",)),
    ]
    ka, kb = linkage_keys(a, specs_a, SALT), linkage_keys(b, specs_b, SALT)
    assert ka.column_names == ["lk_name_birth", "lk_phone"]
    assert ka.to_pydict() == kb.to_pydict()
    assert len(set(ka.column("lk_phone").to_pylist())) == 2
    # the key is the HMAC of the normalised text under the key's sub-key
    msg = key_message(a, specs_a[0]).to_pylist()[0]
    assert msg == "홍길동\x1f1990-01-02"
    expected = hmac.new(subkey(SALT, "name_birth"), msg.encode(), hashlib.sha256).hexdigest()
    assert ka.column("lk_name_birth")[0].as_py() == expected


def test_keys_differ_across_salts_and_key_names_and_nulls_stay_null():
    t = pa.table({"p": ["010-1234-5678", "not a phone"]})
    one = linkage_keys(t, [KeySpec("phone", ("p",), ("phone",))], SALT).column(0).to_pylist()
    other = linkage_keys(t, [KeySpec("phone", ("p",), ("phone",))], os.urandom(32))
    renamed = linkage_keys(t, [KeySpec("mobile", ("p",), ("phone",))], SALT)
    assert one[1] is None
    assert one[0] != other.column(0)[0].as_py()
    assert one[0] != renamed.column(0)[0].as_py()
    assert "01012345678" not in one[0]


def test_salt_files(tmp_path):
    path = tmp_path / "project.salt"
    fp = write_salt_file(path, SALT)
    assert read_salt_file(path) == SALT
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(fp) == 32
    with pytest.raises(InvalidInput, match="already exists"):
        write_salt_file(path)
    (tmp_path / "hex.salt").write_text(SALT.hex())
    assert read_salt_file(tmp_path / "hex.salt") == SALT
    (tmp_path / "short.salt").write_text("abcd")
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_salt_file(tmp_path / "short.salt")
