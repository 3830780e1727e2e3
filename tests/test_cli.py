import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from datanuri.accounts.principal import SYSTEM
from tests.helpers import air_csv, run_cli


@pytest.fixture
def run(config):
    """`datanuri ARGS` over the test's data dir and database, in this process (see
    `tests.helpers.run_cli`; `test_the_installed_entry_point_runs` starts a real process)."""
    env = {
        "DATANURI_DATA_DIR": str(config.data_dir),
        "DATANURI_DATABASE_URL": config.database_url,
    }

    def _run(*args, check=True):
        proc = run_cli(args, env)
        if check:
            assert proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    return _run


def test_publish_list_show_download(run, tmp_path):
    run("orgs", "create", "seoul", "--title", "서울")
    src = air_csv(tmp_path / "air.csv")
    out = run(
        "publish",
        str(src),
        "--dataset",
        "air",
        "--org",
        "seoul",
        "--title",
        "대기질",
        "--keywords",
        "대기, 먼지",
        "--json",
    )
    assert json.loads(out.stdout)["version"]["number"] == 1
    again = run("publish", str(src), "--dataset", "air")
    assert "no new version" in again.stdout
    listed = json.loads(run("datasets", "list", "--json").stdout)
    assert [d["name"] for d in listed] == ["air"] and listed[0]["keywords"] == ["대기", "먼지"]
    shown = json.loads(run("datasets", "show", "air", "--json").stdout)
    assert shown["schema"]["fields"][0]["name"] == "측정소명"
    target = tmp_path / "air.parquet"
    run("download", "air", "--format", "parquet", "--output", str(target))
    assert pq.read_table(target).num_rows == 3


def test_errors_exit_non_zero_with_a_message(run, tmp_path):
    proc = run("datasets", "show", "nope", check=False)
    assert proc.returncode == 4 and "No dataset named 'nope'" in proc.stderr
    proc = run("datasets", "show", "nope", "--json", check=False)
    assert json.loads(proc.stdout)["error"]["code"] == "not_found"
    proc = run("publish", str(air_csv(tmp_path / "a.csv")), "--dataset", "air", check=False)
    assert proc.returncode == 2 and "--org" in proc.stderr
    proc = run("orgs", "create", "Bad Name", check=False)
    assert proc.returncode == 2 and "bad-name" in proc.stderr


def test_account_commands_act_as_the_machine_owner(run):
    """users, orgs add-member, tokens and access-log run with SYSTEM's authority."""
    run("orgs", "create", "seoul")
    run(
        "users",
        "create",
        "kim@example.org",
        "--name",
        "Kim",
        "--password",
        "correct-horse-9-battery",
    )
    run("orgs", "add-member", "seoul", "kim@example.org", "--role", "editor")
    users = json.loads(run("users", "list", "--json").stdout)
    assert [(u["email"], u["organizations"]) for u in users] == [
        ("kim@example.org", {"seoul": "editor"})
    ]
    token = json.loads(run("tokens", "create", "--user", "kim@example.org", "--json").stdout)
    run("tokens", "revoke", str(token["id"]))
    tokens = json.loads(run("tokens", "list", "--json").stdout)
    assert [(t["id"], t["revoked"]) for t in tokens] == [(token["id"], True)]
    assert json.loads(run("access-log", "--org", "seoul", "--json").stdout) == []


def test_the_installed_entry_point_runs(config, tmp_path):
    """The one real process: `python -m datanuri.cli` starts, prints, and maps an error to its
    exit code and message (every other CLI test calls the same entry point in-process)."""
    env = {
        **os.environ,
        "DATANURI_DATA_DIR": str(config.data_dir),
        "DATANURI_DATABASE_URL": config.database_url,
    }

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "datanuri.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert "Usage" in cli("--help").stdout
    proc = cli("datasets", "show", "nope", "--json")
    assert proc.returncode == 4
    assert json.loads(proc.stdout)["error"]["code"] == "not_found"


def test_help_on_every_command(run):
    for cmd in (
        ["--help"],
        ["publish", "--help"],
        ["download", "--help"],
        ["orgs", "--help"],
        ["datasets", "list", "--help"],
        ["demo", "--help"],
        ["serve", "--help"],
    ):
        proc = run(*cmd)
        assert "Usage" in proc.stdout


def test_login_and_whoami_against_a_running_server(live_server, platform, tmp_path):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password="correct horse battery", principal=SYSTEM
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "DATANURI_PASSWORD": "correct horse battery"}

    def cli(*args):
        return run_cli(args, env)

    bad = cli(
        "login", "--url", live_server, "--email", "kim@example.org", "--password", "wrong password!"
    )
    assert bad.returncode != 0 and "password" in (bad.stderr + bad.stdout).lower()
    ok = cli("login", "--url", live_server, "--email", "kim@example.org")
    assert ok.returncode == 0, ok.stderr
    me = cli("whoami", "--url", live_server)
    assert me.returncode == 0 and "kim@example.org" in me.stdout
    down = cli(
        "login", "--url", "http://127.0.0.1:9", "--email", "kim@example.org"
    )  # nothing listens there
    assert down.returncode != 0 and "Could not reach" in down.stderr + down.stdout


def test_a_wrong_encoding_is_a_clear_error_not_a_traceback(run, tmp_path):
    run("orgs", "create", "seoul")
    src = tmp_path / "k.csv"
    src.write_bytes("지역,값\n서울,1\n".encode("cp949"))
    out = run(
        "publish", str(src), "--dataset", "kk", "--org", "seoul", "--encoding", "utf-8", check=False
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "not valid utf-8 text in its header line (line 1)" in " ".join(out.stderr.split())


def test_publish_an_agency_workbook_then_its_page_shows_the_data_rows(run, api, tmp_path):
    from tests.tables.agency import COLUMNS, SIDO, TOTAL_ROW, write_agency_xlsx

    run("orgs", "create", "mois")
    src = write_agency_xlsx(tmp_path / "bike.xlsx", measured_gap=True)
    out = run("publish", str(src), "--dataset", "bike", "--org", "mois", "--json")
    res = json.loads(out.stdout)
    assert res["version"]["row_count"] == len(SIDO)
    assert res["outcome"] == {
        "dropped_rows": 1,
        "total_rows": 1,
        "kept_as_text": 0,
        "kept_as_null": 1,
        "header_lines": [4, 5],
    }
    assert "1 row(s) were left out" in res["message"] and "kept as text" not in res["message"]
    assert "1행을 표에서 뺐습니다" in res["message_ko"]
    assert [p["line"] for p in res["problems"]] == [9, TOTAL_ROW]
    plain = run("publish", str(src), "--dataset", "bike2", "--org", "mois", "--header-row", "4")
    assert "left out of the table" in plain.stdout and "line 23" in plain.stderr
    page = api.get("/datasets/bike").text
    for name in COLUMNS:
        assert name in page
    assert "서울특별시" in page and "2023년 시도별 자전거도로 현황" not in page
    kept = run(
        "publish", str(src), "--dataset", "bike3", "--org", "mois", "--keep-totals", "--json"
    )
    assert json.loads(kept.stdout)["version"]["row_count"] == len(SIDO) + 1
