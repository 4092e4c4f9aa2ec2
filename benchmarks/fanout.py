"""One period's check-in prompts for 2,000 owner×item pairs, through an emulator that rate-limits.

    python benchmarks/fanout.py [--owners 200] [--rate 50]

The emulator (its own process) answers chat.postMessage with 429 + Retry-After beyond RATE calls a
second. One `tick` sends every prompt; the report compares its time with the bound N / RATE and
counts retries (429s), duplicates and losses (from the metadata of what the emulator received).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ack import free_port, wait_until_up  # noqa: E402
from bot.container import build_services  # noqa: E402
from bot.settings import Secret, Settings  # noqa: E402
from bot.slack_client import make_client  # noqa: E402

CHECKIN = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=200, help="owners, each owning all ten items")
    parser.add_argument("--rate", type=int, default=50, help="chat.postMessage calls a second the emulator allows")
    args = parser.parse_args()
    port = free_port()
    emulator = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "slack_emulator.py"),
            "--port",
            str(port),
            "--quiet",
            "--rate-limit",
            f"chat.postMessage={args.rate}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port)
        folder = Path(tempfile.mkdtemp(prefix="shishin-fanout-"))
        owners = [f"U0FAN{n:05d}" for n in range(args.owners)]
        org = folder / "org.yaml"
        org.write_text(
            "guideline: v3\ntimezone: Asia/Tokyo\nowners:\n"
            + "".join(f"  {item}: [{', '.join(owners)}]\n" for item in range(1, 11)),
            encoding="utf-8",
        )
        settings = Settings(
            slack_bot_token=Secret("xoxb-fanout"),
            slack_api_url=f"http://127.0.0.1:{port}/api/",
            database_url=f"sqlite:///{folder / 'fanout.db'}",
            log_level="WARNING",
        )
        services = build_services(settings, clock=lambda: CHECKIN)
        imported, problems = services.orgs.import_file(org)
        assert imported is not None, problems
        services.attach_slack(make_client(settings, max_retries=8))
        assert services.directory is not None
        services.directory.people(owners)  # users.info is cached ahead, as after the first week
        started = time.perf_counter()
        report = services.tick(CHECKIN)
        elapsed = time.perf_counter() - started
        second = services.tick(CHECKIN)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_calls", timeout=30) as response:
            data = json.load(response)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    posts = [
        c
        for c in data["calls"]
        if c["method"] == "chat.postMessage" and c["status"] == 200 and c["params"].get("metadata")
    ]
    received = Counter(c["params"]["metadata"]["event_payload"]["delivery_id"] for c in posts)
    expected = args.owners * 10
    bound = expected / args.rate
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    lost = expected - len(received)
    print(f"{expected:,} prompts ({args.owners} owners × 10 items), emulator limit {args.rate}/s on chat.postMessage\n")
    print("| prompts | bound N/rate (s) | completion (s) | ratio | 429 retries | duplicates | lost |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {expected:,} | {bound:.1f} | {elapsed:.1f} | {elapsed / bound:.2f}x | {data['rate_limited']:,} |"
        f" {duplicates} | {lost} |"
    )
    print(f"\nfirst tick: {dict(report.counts)}; second tick: {dict(second.counts) or 'nothing due'}")


if __name__ == "__main__":
    main()
