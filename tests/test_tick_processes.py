"""`shishin tick` as separate processes: racing tickers and a restart never double-send."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from tests.conftest import CHECKIN_TOKYO, World

ROOT = Path(__file__).resolve().parents[1]


def big_org(tmp_path: Path, owners_per_item: int = 4) -> Path:
    owners = {item: [f"U0P{item:02d}{n}" for n in range(owners_per_item)] for item in range(1, 11)}
    text = "guideline: v3\ntimezone: Asia/Tokyo\nowners:\n" + "".join(
        f"  {item}: [{', '.join(users)}]\n" for item, users in owners.items()
    )
    path = tmp_path / "big-org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(world: World) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": world.db_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": world.emulator.api_url,
        "LOG_LEVEL": "WARNING",
    }


def start_tick(world: World, at: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--at", at],
        cwd=ROOT,
        env=env_for(world),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_racing_tickers_send_each_prompt_once(world: World, tmp_path: Path) -> None:
    org, problems = world.services.orgs.import_file(big_org(tmp_path))
    assert org is not None, problems
    at = CHECKIN_TOKYO.isoformat()
    tickers = [start_tick(world, at) for _ in range(2)]
    outputs = [ticker.communicate(timeout=120) for ticker in tickers]
    assert [ticker.returncode for ticker in tickers] == [0, 0], outputs
    world.emulator.settle(0.2)
    posts = world.emulator.calls_to("chat.postMessage")
    per_delivery = Counter(call.params["metadata"]["event_payload"]["delivery_id"] for call in posts)
    assert len(per_delivery) == 40
    assert set(per_delivery.values()) == {1}
    # A restart (a third process at the same instant) sends nothing more.
    again = start_tick(world, at)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert "prompts sent" not in out
    assert len(world.emulator.calls_to("chat.postMessage")) == 40


def test_tick_cli_reports_what_it_did(world: World) -> None:
    ticker = start_tick(world, (CHECKIN_TOKYO + timedelta(minutes=1)).isoformat())
    out, err = ticker.communicate(timeout=120)
    assert ticker.returncode == 0, err
    assert "period 2026-W49" in out
    assert "prompts sent: 2" in out
