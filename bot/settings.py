"""Typed settings, read once from the environment. Secrets never appear in repr, logs or errors."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from storage import default_database_url
from storage.db import normalize_database_url

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(Exception):
    """One clear line naming the variable that is missing or malformed."""


class Secret(str):
    """A string that never shows itself in repr() or f-strings with !r."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('********')"


@dataclass(frozen=True)
class Settings:
    slack_bot_token: Secret | None = field(default=None, repr=False)
    slack_app_token: Secret | None = field(default=None, repr=False)
    slack_signing_secret: Secret | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = field(default_factory=default_database_url)
    kb_path: Path | None = None
    org_path: Path | None = None
    port: int = 3000
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            slack_bot_token=_token(get("SLACK_BOT_TOKEN"), "SLACK_BOT_TOKEN", "xoxb-"),
            slack_app_token=_token(get("SLACK_APP_TOKEN"), "SLACK_APP_TOKEN", "xapp-"),
            slack_signing_secret=_secret(get("SLACK_SIGNING_SECRET"), "SLACK_SIGNING_SECRET"),
            slack_api_url=_api_url(get("SLACK_API_URL")),
            database_url=_database_url(get("DATABASE_URL")),
            kb_path=_existing_path(get("SHISHIN_KB_PATH"), "SHISHIN_KB_PATH"),
            org_path=_existing_path(get("SHISHIN_ORG"), "SHISHIN_ORG"),
            port=_port(get("PORT")),
            log_level=_log_level(get("LOG_LEVEL")),
        )

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require(self, *names: str) -> None:
        """Fail with one line if a setting a run mode needs is missing (names are env variable names)."""
        for name in names:
            if getattr(self, name.lower()) is None:
                raise SettingsError(f"{name} is not set: this command needs it (see README, Configuration)")


def _token(value: str | None, name: str, prefix: str) -> Secret | None:
    if value is None:
        return None
    if not value.startswith(prefix):
        raise SettingsError(f"{name} looks wrong: it should start with {prefix!r}")
    return Secret(value)


def _secret(value: str | None, name: str) -> Secret | None:
    if value is None:
        return None
    if len(value) < 16:
        raise SettingsError(f"{name} looks wrong: it is shorter than a Slack signing secret")
    return Secret(value)


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_SLACK_API_URL
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def _database_url(value: str | None) -> str:
    if value is None:
        return default_database_url()
    value = normalize_database_url(value)
    if not value.startswith(("sqlite:", "postgresql+")):
        raise SettingsError("DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
    return value


def _existing_path(value: str | None, name: str) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.exists():
        raise SettingsError(f"{name} points to {path}, which does not exist")
    return path


def _port(value: str | None) -> int:
    if value is None:
        return 3000
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _log_level(value: str | None) -> str:
    if value is None:
        return "INFO"
    level = value.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Migration chatter is noise on every CLI call; `shishin db upgrade` reports the outcome itself.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
