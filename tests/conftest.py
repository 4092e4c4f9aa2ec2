"""Shared fixtures: the shipped knowledge base, and a fresh database: SQLite, or PostgreSQL when
TEST_DATABASE_URL names one (each test then gets its own schema, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine

from bot.container import Services, build_services
from bot.scheduler import TickReport
from bot.settings import Secret, Settings
from bot.web import create_web_app
from knowledge import KnowledgeBase, load_kb
from storage import Database, upgrade
from storage.db import normalize_database_url
from tests.slack_emulator import SlackEmulator, User, start_emulator
from tests.slack_requests import SlackScenario

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


def _backends() -> list[str]:
    # One backend per run: CI runs the suite once on SQLite and once on PostgreSQL, and running the
    # SQLite cases again in the PostgreSQL pass would only double its time.
    return ["postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shishin-test.db'}"
        return
    base = normalize_database_url(os.environ["TEST_DATABASE_URL"])
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, pool_pre_ping=True)  # survives the battery restarting PostgreSQL
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


def app_settings(db_url: str, emulator: SlackEmulator) -> Settings:
    """What a deployed app would read from its environment, pointed at the emulator."""
    return Settings(
        slack_bot_token=Secret("xoxb-test-token"),
        slack_signing_secret=Secret(SIGNING_SECRET),
        slack_api_url=emulator.api_url,
        database_url=db_url,
    )


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
    settings = app_settings(db_url, slack_emulator)
    services = build_services(settings, kb=kb)
    web = create_web_app(settings, services=services)
    yield SlackScenario(web.test_client(), slack_emulator, SIGNING_SECRET)
    slack_emulator.settle(0.2)
    services.close()


class FakeClock:
    """A clock the test moves by hand; every service built with it sees the same time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


ORG_YAML = """\
guideline: v3
timezone: Asia/Tokyo
admins: [U0ADMIN1]
leadership_channels: [C0LEAD1]
checkins: {weekday: tue, time: "10:00", reminder_after_hours: 24, deadline_hours: 72}
digest: {weekday: mon, time: "09:00"}
owners: {1: [U0TOKYO], 5: [U0TOKYO, U0NEWYORK], 7: [U0NEWYORK]}
"""
# Tuesday 1 December 2026, 10:00 in Tokyo (ISO week 2026-W49).
CHECKIN_TOKYO = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass
class World:
    """The whole app on a fresh database, its Slack side the emulator, its time a FakeClock."""

    services: Services
    clock: FakeClock
    emulator: SlackEmulator
    scenario: SlackScenario
    db_url: str

    def tick(self, at: datetime) -> TickReport:
        self.clock.set(at)
        report = self.services.tick(at)
        self.emulator.settle(0.05)
        return report

    def dms(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.emulator.messages.get("D" + user[1:], []) if m.get("thread_ts") is None]


@pytest.fixture
def world(db_url: str, kb: KnowledgeBase, slack_emulator: SlackEmulator, tmp_path: Path) -> Iterator[World]:
    upgrade(db_url)
    slack_emulator.add_user(User("U0TOKYO", tz="Asia/Tokyo", locale="ja-JP"))
    slack_emulator.add_user(User("U0NEWYORK", tz="America/New_York", locale="en-US"))
    slack_emulator.add_user(User("U0ADMIN1", tz="Asia/Tokyo"))
    clock = FakeClock(CHECKIN_TOKYO)
    settings = app_settings(db_url, slack_emulator)
    services = build_services(settings, kb=kb, clock=clock)
    org_file = tmp_path / "org.yaml"
    org_file.write_text(ORG_YAML, encoding="utf-8")
    org, problems = services.orgs.import_file(org_file)
    assert org is not None, problems
    web = create_web_app(settings, services=services)
    scenario = SlackScenario(web.test_client(), slack_emulator, SIGNING_SECRET)
    yield World(services, clock, slack_emulator, scenario, db_url)
    slack_emulator.settle(0.2)
    services.close()
