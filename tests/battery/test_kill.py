"""Processes killed mid-run (SIGKILL) and racing for a month: every prompt, reminder and digest goes
out exactly once in the end."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.scheduler import LEASE
from storage import Database
from storage.models import Delivery
from tests.conftest import CHECKIN_TOKYO, World
from tests.slack_emulator import Fault
from tests.test_faults_helpers import delivered
from tests.test_tick_processes import big_org, start_tick

pytestmark = pytest.mark.battery


@pytest.mark.parametrize("kill_after", [0.4, 1.0, 2.0])
def test_killed_during_fan_out_then_restarted(world: World, tmp_path: Path, kill_after: float) -> None:
    org, problems = world.services.orgs.import_file(big_org(tmp_path))
    assert org is not None, problems
    world.emulator.fail("chat.postMessage", Fault(delay=0.08, status=200), times=40)  # a slow Slack
    victim = start_tick(world, CHECKIN_TOKYO.isoformat())
    time.sleep(kill_after + random.random() * 0.3)  # somewhere in the middle of the fan-out
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=30)
    world.emulator.settle(0.3)
    restarted = start_tick(world, (CHECKIN_TOKYO + LEASE + timedelta(minutes=1)).isoformat())
    out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    world.emulator.settle(0.3)
    counts = delivered(world)
    assert len(counts) == 40, out
    assert set(counts.values()) == {1}, out


def test_four_tickers_racing_for_a_month(world: World, tmp_path: Path) -> None:
    org, problems = world.services.orgs.import_file(big_org(tmp_path, owners_per_item=2))
    assert org is not None, problems
    world.services.orgs.add_channel("C0LEAD1")
    world.services.orgs.add_channel("C0LEAD2")
    instants = []
    for week in range(4):
        start = CHECKIN_TOKYO + timedelta(weeks=week)
        instants += [start, start + timedelta(hours=25), start + timedelta(days=6, hours=-1)]  # prompt, remind, digest
    for at in instants:
        racers = [start_tick(world, at.isoformat()) for _ in range(4)]
        results = [racer.communicate(timeout=120) for racer in racers]
        assert [racer.returncode for racer in racers] == [0, 0, 0, 0], results
    world.emulator.settle(0.3)
    counts = delivered(world)
    assert set(counts.values()) == {1}
    database = Database(world.db_url)
    try:
        with database.session() as session:
            kinds = dict(session.execute(select(Delivery.kind, func.count()).group_by(Delivery.kind)).all())
            unsent = session.scalar(select(func.count()).where(Delivery.state != "sent"))
    finally:
        database.dispose()
    assert kinds["prompt"] == 20 * 4  # 20 owner×item pairs, 4 weeks
    assert kinds["reminder"] == 20 * 4  # nobody answered: one reminder each, each week
    assert kinds["digest"] == 2 * 4  # two channels, each Monday after a week of check-ins
    assert kinds["chart"] == 2 * 4
    assert unsent == 0
    digests = Counter(
        json.dumps(m.get("blocks"))[:80] for m in world.emulator.messages.get("C0LEAD1", []) if m.get("blocks")
    )
    assert sum(digests.values()) == 4
