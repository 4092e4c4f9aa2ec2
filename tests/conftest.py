"""Shared fixtures: the shipped knowledge base, and a fresh database on SQLite (and PostgreSQL when
TEST_DATABASE_URL names one; each test then gets its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.container import build_services
from bot.settings import Secret, Settings
from bot.web import create_web_app
from knowledge import KnowledgeBase, load_kb
from storage import Database, upgrade
from storage.db import normalize_database_url
from tests.slack_emulator import SlackEmulator, start_emulator
from tests.slack_requests import SlackScenario

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shishin-test.db'}"
        return
    base = normalize_database_url(os.environ["TEST_DATABASE_URL"])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def fresh_db(db_url: str) -> Iterator[Database]:
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def slack_emulator() -> Iterator[SlackEmulator]:
    emulator = start_emulator()
    yield emulator
    emulator.settle(0.2)
    emulator.server.stop()


@pytest.fixture
def scenario(db_url: str, kb: KnowledgeBase, slack_emulator: SlackEmulator) -> Iterator[SlackScenario]:
    """The whole app behind its HTTP endpoint, talking to the emulator, on a fresh database."""
    upgrade(db_url)
    settings = Settings(
        slack_bot_token=Secret("xoxb-test-token"),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=slack_emulator.api_url,
        database_url=db_url,
    )
    services = build_services(settings, kb=kb)
    web = create_web_app(settings, services=services)
    yield SlackScenario(web.test_client(), slack_emulator, SIGNING_SECRET)
    slack_emulator.settle(0.2)
    services.close()
