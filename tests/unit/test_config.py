"""Bad configuration stops the app with one clear line, not a traceback."""

import os
import subprocess
import sys

import pytest

from family_app.config import ConfigError, load_config, normalise_database_url


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FAMILY_APP_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from family_app.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=clean,
        timeout=60,
    )


def test_production_without_secret_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("FAMILY_APP_ENV", "production")
    monkeypatch.delenv("FAMILY_APP_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path))


def test_production_with_short_secret_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("FAMILY_APP_ENV", "production")
    monkeypatch.setenv("FAMILY_APP_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="too short"):
        load_config(str(tmp_path))


def test_development_sign_in_can_never_be_on_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("FAMILY_APP_ENV", "production")
    monkeypatch.setenv("FAMILY_APP_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FAMILY_APP_DEV_SIGN_IN", "1")
    with pytest.raises(ConfigError, match="DEV_SIGN_IN"):
        load_config(str(tmp_path))


def test_the_queue_claim_timeout_is_ten_minutes_unless_set_and_never_zero(monkeypatch, tmp_path):
    monkeypatch.setenv("FAMILY_APP_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS", raising=False)
    assert load_config(str(tmp_path))["QUEUE_CLAIM_TIMEOUT_SECONDS"] == 600
    monkeypatch.setenv("FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS", "2")
    assert load_config(str(tmp_path))["QUEUE_CLAIM_TIMEOUT_SECONDS"] == 2
    monkeypatch.setenv("FAMILY_APP_QUEUE_CLAIM_TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigError, match="QUEUE_CLAIM_TIMEOUT_SECONDS"):
        load_config(str(tmp_path))


def test_development_secret_is_random_and_shared_by_workers(monkeypatch, tmp_path):
    monkeypatch.delenv("FAMILY_APP_SECRET_KEY", raising=False)
    monkeypatch.delenv("FAMILY_APP_ENV", raising=False)
    first = load_config(str(tmp_path))["SECRET_KEY"]
    second = load_config(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert load_config(str(tmp_path / "other"))["SECRET_KEY"] != first


def test_postgres_urls_use_psycopg_three():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_cli_missing_production_secret_is_one_clear_line(tmp_path):
    result = run_cli("db", "check", FAMILY_APP_ENV="production")
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert "FAMILY_APP_SECRET_KEY" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_unreachable_database_is_one_clear_line(tmp_path):
    result = run_cli(
        "db",
        "upgrade",
        DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2",
        FAMILY_APP_SECRET_KEY="x" * 40,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1, result.stderr
    assert "Cannot reach the database" in lines[0]
    assert "secret" not in lines[0]  # the password is never printed
    assert "Traceback" not in result.stderr
