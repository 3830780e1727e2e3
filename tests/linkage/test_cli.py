"""`datanuri linkage salt|tokenize|match` in-process: two holders' files keyed and linked."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from datanuri.linkage import messages as M
from tests.helpers import run_cli

UTILITY = """성명,생년월일,휴대폰,시군구,체납액
홍 길동,1990-01-02,010-1234-5678,종로구,120000
김철수,1985.3.4,010-2222-3333,중구,50000
이영희,2001년 12월 5일,+82 10 4444 5555,강남구,80000
"""
SCHOOL = """name,birth,phone,district,absences
홍길동,19900102,０１０－１２３４－５６７８,종로구,12
이영희,011205-4,010-9876-5432,강남구,30
박민수,1977-07-07,010-9999-0000,마포구,3
"""


def invoke(*args: str):
    return run_cli(args)


def test_tokenize_and_match(tmp_path):
    (tmp_path / "utility.csv").write_text(UTILITY, encoding="utf-8")
    (tmp_path / "school.csv").write_text(SCHOOL, encoding="utf-8")
    salt = tmp_path / "project.salt"
    done = invoke("linkage", "salt", str(salt), "--json")
    assert done.returncode == 0 and len(json.loads(done.stdout)["fingerprint"]) == 32

    a, b = tmp_path / "a.parquet", tmp_path / "b.csv"
    done = invoke(
        "linkage", "tokenize", str(tmp_path / "utility.csv"), "--salt-file", str(salt),
        "--id-columns", "성명,생년월일,휴대폰", "--clk-columns", "성명,생년월일",
        "--keep", "시군구,체납액", "--output", str(a), "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["keys"] == ["lk_name", "lk_date", "lk_phone"]
    table = pq.read_table(a)
    assert table.column_names == ["lk_name", "lk_date", "lk_phone", "clk", "시군구", "체납액"]
    text = str(table.to_pylist())
    assert "홍" not in text and "1234" not in text and "1990" not in text

    done = invoke(
        "linkage", "tokenize", str(tmp_path / "school.csv"), "--salt-file", str(salt),
        "--id-columns", "name,birth:date,phone", "--clk-columns", "name,birth:date",
        "--keep", "district,absences", "--output", str(b),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout

    done = invoke(
        "linkage", "match", str(a), str(b), "--method", "rules",
        "--rule", "lk_name+lk_date", "--rule", "lk_phone", "--group", "시군구", "--json",
        "--output", str(tmp_path / "pairs.parquet"),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    report = json.loads(done.stdout)["report"]
    assert report["pairs"][0]["matches"] == 2  # 홍길동 (all keys), 이영희 (name + birth)
    pairs = pq.read_table(tmp_path / "pairs.parquet").to_pylist()
    assert sorted((p["left"], p["right"], p["rule"]) for p in pairs) == [
        (0, 0, "lk_name+lk_date"),
        (2, 1, "lk_name+lk_date"),
    ]
    unmatched = {u["group"]: u["unmatched"] for u in report["unmatched"]}
    assert unmatched == {"강남구": 0, "종로구": 0, "중구": 1}

    done = invoke(
        "linkage", "match", str(a), str(b), "--method", "clk", "--threshold", "0.9", "--report"
    )
    assert done.returncode == 0, done.stdout
    assert "Linkage (clk)" in done.stdout


def test_tokenize_refuses_raw_identifiers(tmp_path):
    (tmp_path / "school.csv").write_text(SCHOOL, encoding="utf-8")
    salt = tmp_path / "project.salt"
    invoke("linkage", "salt", str(salt))
    out = tmp_path / "out.parquet"
    done = invoke(
        "linkage", "tokenize", str(tmp_path / "school.csv"), "--salt-file", str(salt),
        "--id-columns", "birth:date", "--keep", "name,district", "--output", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 2
    error = json.loads(done.stdout)["error"]
    assert error["message"] == M.MSG_RAW_IDENTIFIER.format(columns="name (name)")
    assert not out.exists()

    done = invoke(
        "linkage", "tokenize", str(tmp_path / "school.csv"), "--salt-file", str(salt),
        "--id-columns", "phone", "--keep", "phone", "--output", str(out),
    )  # fmt: skip
    assert done.returncode == 2 and not out.exists()

    bad = tmp_path / "bad.salt"
    bad.write_text("short")
    done = invoke(
        "linkage", "tokenize", str(tmp_path / "school.csv"), "--salt-file", str(bad),
        "--id-columns", "phone", "--output", str(out), "--json",
    )  # fmt: skip
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["message"] == M.MSG_SALT_UNREADABLE.format(path=bad)


def test_near_unique_attributes_need_the_holders_word(tmp_path):
    rows = "\n".join(f"{i},010-5555-{i:04d},{1000 + 37 * i}" for i in range(40))
    (tmp_path / "f.csv").write_text("id,phone,amount\n" + rows + "\n", encoding="utf-8")
    salt = tmp_path / "project.salt"
    invoke("linkage", "salt", str(salt))
    out = tmp_path / "out.parquet"
    args = ["linkage", "tokenize", str(tmp_path / "f.csv"), "--salt-file", str(salt)]
    args += ["--id-columns", "phone", "--keep", "amount", "--output", str(out), "--json"]
    done = invoke(*args)
    assert done.returncode == 2 and "amount (record_key)" in done.stdout
    done = invoke(*args, "--allow-unique", "amount")
    assert done.returncode == 0, done.stdout
    assert pq.read_table(out).column_names == ["lk_phone", "amount"]
