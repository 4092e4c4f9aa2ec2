from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import DEFAULT_SLACK_API_URL, Settings, SettingsError


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.database_url.startswith("sqlite:///")
    assert settings.port == 3000
    assert not settings.socket_mode


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_SIGNING_SECRET", "short"),
        ("SLACK_API_URL", "ftp://example"),
        ("DATABASE_URL", "mysql://x"),
        ("SHISHIN_KB_PATH", "/no/such/folder"),
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_malformed_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})
    message = str(raised.value)
    assert name in message
    assert "\n" not in message


def test_secrets_never_show() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-123-secret", "SLACK_SIGNING_SECRET": "0123456789abcdef0123"})
    assert "secret" not in repr(settings)
    assert "xoxb-123-secret" not in repr(settings.slack_bot_token)
    assert settings.slack_bot_token == "xoxb-123-secret"


def test_heroku_postgres_url_gets_the_driver(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgres://u:p@h/db", "SHISHIN_KB_PATH": str(tmp_path)})
    assert settings.database_url == "postgresql+psycopg://u:p@h/db"
    assert settings.kb_path == tmp_path


def test_require_names_the_missing_variable() -> None:
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({}).require("SLACK_BOT_TOKEN")
