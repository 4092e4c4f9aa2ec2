"""Slack misbehaving: 429 storms, 500s, refused connections and timeouts. Nothing is lost: what
fails stays pending and goes out on a later tick, and nothing goes out twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.scheduler import Dispatcher
from bot.settings import Secret, Settings
from bot.slack_client import make_client
from tests.conftest import CHECKIN_TOKYO, World
from tests.slack_emulator import Fault
from tests.test_digest import DIGEST_TIME, answer_some
from tests.test_faults_helpers import delivered
from tests.test_tick_processes import big_org

pytestmark = pytest.mark.battery


def tick_until_done(world: World, start: timedelta = timedelta(0), ticks: int = 6) -> None:
    for minute in range(ticks):
        report = world.tick(CHECKIN_TOKYO + start + timedelta(minutes=minute))
        if not any(key.startswith("pending") for key in report.counts):
            return


def forty_prompts(world: World, tmp_path: Path) -> None:
    org, problems = world.services.orgs.import_file(big_org(tmp_path))
    assert org is not None, problems


def test_a_429_storm_loses_and_duplicates_nothing(world: World, tmp_path: Path) -> None:
    forty_prompts(world, tmp_path)
    world.emulator.limit_rate("chat.postMessage", 5)
    tick_until_done(world)
    assert world.emulator.rate_limited > 0
    counts = delivered(world)
    assert len(counts) == 40
    assert set(counts.values()) == {1}


def test_500s_leave_prompts_pending_until_a_later_tick(world: World, tmp_path: Path) -> None:
    forty_prompts(world, tmp_path)
    world.emulator.fail("chat.postMessage", Fault(status=500), times=60)
    first = world.tick(CHECKIN_TOKYO)
    assert first.counts["pending (Slack failed; retried next tick)"] > 0
    tick_until_done(world, timedelta(minutes=1))
    counts = delivered(world)
    assert len(counts) == 40
    assert set(counts.values()) == {1}


def test_refused_connections_then_recovery(world: World, tmp_path: Path) -> None:
    forty_prompts(world, tmp_path)
    services = world.services
    dead = Settings(slack_bot_token=Secret("xoxb-test-token"), slack_api_url="http://127.0.0.1:9/api/")
    assert services.directory is not None
    offline = Dispatcher(
        services.database, make_client(dead, max_retries=1), services.checkins, services.directory, world.clock
    )
    services.directory.people([f"U0P{item:02d}{n}" for item in range(1, 11) for n in range(4)])  # cached
    org = services.orgs.load()
    assert org is not None
    from bot.scheduler import TickReport

    report = TickReport(CHECKIN_TOKYO)
    offline.run_checkins(org, services.kb.frameworks["v3"], CHECKIN_TOKYO, report)
    assert report.counts["pending (Slack failed; retried next tick)"] > 0
    tick_until_done(world, timedelta(minutes=1))
    counts = delivered(world)
    assert len(counts) == 40
    assert set(counts.values()) == {1}


def test_a_timeout_after_slack_got_the_message_is_not_sent_again(world: World) -> None:
    services = world.services
    assert services.directory is not None
    settings = Settings(slack_bot_token=Secret("xoxb-test-token"), slack_api_url=world.emulator.api_url)
    impatient = Dispatcher(
        services.database,
        make_client(settings, timeout=1, max_retries=0),
        services.checkins,
        services.directory,
        world.clock,
    )
    world.emulator.fail("chat.postMessage", Fault(delay=2.0, status=200), times=2)  # slow, but accepted
    org = services.orgs.load()
    assert org is not None
    from bot.scheduler import TickReport

    report = TickReport(CHECKIN_TOKYO)
    impatient.run_checkins(org, services.kb.frameworks["v3"], CHECKIN_TOKYO, report)
    assert report.counts["pending (Slack failed; retried next tick)"] == 2
    world.emulator.settle(2.5)
    assert set(delivered(world).values()) == {1}  # Slack did get both
    again = world.tick(CHECKIN_TOKYO + timedelta(minutes=1))
    assert again.counts["recovered (had been sent)"] == 2
    assert set(delivered(world).values()) == {1}


def test_digest_and_chart_survive_failures(world: World) -> None:
    answer_some(world)
    world.emulator.fail("chat.postMessage", Fault(status=500), times=4)
    world.emulator.fail("files.completeUploadExternal", Fault(status=500), times=4)
    first = world.tick(DIGEST_TIME)
    assert first.counts["pending (Slack failed; retried next tick)"] == 2
    second = world.tick(DIGEST_TIME + timedelta(minutes=1))
    assert second.counts["digests posted"] == 1
    assert second.counts["charts uploaded"] == 1
    world.tick(DIGEST_TIME + timedelta(minutes=2))
    posts = world.emulator.messages["C0LEAD1"]
    assert sum(1 for m in posts if m.get("blocks")) == 1
    assert sum(1 for m in posts if m.get("files")) == 1
