"""Issue 10 settings: the invitation key, the shared store, trusted proxies."""

import pytest

from family_app.config import ConfigError, load_config


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("INVITATION_KEY", "REDIS_URL", "RATELIMIT_STORAGE_URI", "TRUSTED_PROXIES"):
        monkeypatch.delenv(f"FAMILY_APP_{name}", raising=False)
    return monkeypatch


def test_production_needs_its_own_invitation_key(clean_env, tmp_path):
    clean_env.setenv("FAMILY_APP_ENV", "production")
    clean_env.setenv("FAMILY_APP_SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="INVITATION_KEY"):
        load_config(str(tmp_path))
    clean_env.setenv("FAMILY_APP_INVITATION_KEY", "k" * 40)
    assert load_config(str(tmp_path))["INVITATION_KEY"] == "k" * 40


def test_development_derives_the_invitation_key_from_the_secret(clean_env, tmp_path):
    clean_env.delenv("FAMILY_APP_ENV", raising=False)
    clean_env.setenv("FAMILY_APP_SECRET_KEY", "s" * 40)
    key = load_config(str(tmp_path))["INVITATION_KEY"]
    assert key and "s" * 40 not in key
    clean_env.setenv("FAMILY_APP_SECRET_KEY", "t" * 40)
    assert load_config(str(tmp_path))["INVITATION_KEY"] != key


def test_redis_holds_rate_limits_when_configured_memory_otherwise(clean_env, tmp_path):
    assert load_config(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    clean_env.setenv("FAMILY_APP_REDIS_URL", "redis://redis.example:6379/0")
    config = load_config(str(tmp_path))
    assert config["RATELIMIT_STORAGE_URI"] == "redis://redis.example:6379/0"
    assert config["TRUSTED_PROXIES"] == 0  # no proxy is trusted unless configured


def test_trusted_proxies_must_be_a_count(clean_env, tmp_path):
    clean_env.setenv("FAMILY_APP_TRUSTED_PROXIES", "-1")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config(str(tmp_path))


def test_sessions_go_to_redis_when_it_is_configured(tmp_path):
    from family_app import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "SECRET_KEY": "z" * 40,
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "TESTING": True,
        }
    )
    assert type(app.session_interface).__name__ == "RedisSessionInterface"
    plain = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "z" * 40, "TESTING": True}
    )
    assert type(plain.session_interface).__name__ == "CacheLibSessionInterface"
