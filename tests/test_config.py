from pathlib import Path

import pytest

from datanuri.config import Config
from datanuri.errors import ConfigError


def test_defaults_use_dot_datanuri_and_sqlite():
    cfg = Config.load(env={})
    assert cfg.data_dir == Path(".datanuri")
    assert cfg.db_url.startswith("sqlite:///") and cfg.db_url.endswith(".datanuri/datanuri.db")


def test_environment_overrides(tmp_path):
    cfg = Config.load(
        env={
            "DATANURI_DATA_DIR": str(tmp_path),
            "DATANURI_PORT": "9001",
            "DATANURI_DATABASE_URL": "postgresql+psycopg://x@h/db",
        }
    )
    assert (
        cfg.data_dir == tmp_path
        and cfg.port == 9001
        and cfg.db_url == "postgresql+psycopg://x@h/db"
    )


def test_toml_file_then_env_precedence(tmp_path):
    (tmp_path / "datanuri.toml").write_text("port = 8100\nbatch_rows = 1000\n")
    cfg = Config.load(env={"DATANURI_DATA_DIR": str(tmp_path), "DATANURI_PORT": "8200"})
    assert cfg.port == 8200 and cfg.batch_rows == 1000


@pytest.mark.parametrize(
    "env, match",
    [
        ({"DATANURI_PORT": "eighty"}, "must be a number"),
        ({"DATANURI_ENGINE": "oracle"}, "duckdb"),
        ({"DATANURI_CONFIG": "/nonexistent.toml"}, "does not exist"),
    ],
)
def test_bad_settings_are_explained(env, match):
    with pytest.raises(ConfigError, match=match):
        Config.load(env=env)


def test_unknown_toml_key(tmp_path):
    (tmp_path / "datanuri.toml").write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="Unknown setting"):
        Config.load(env={"DATANURI_DATA_DIR": str(tmp_path)})
