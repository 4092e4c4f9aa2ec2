"""Mixed Slack traffic into the `web` process, at 50, 100 and 200 requests a second.

    python benchmarks/load.py [--seconds 60] [--rates 50,100,200]

gunicorn runs with the Procfile's settings (gunicorn.conf.py) on loopback; the Slack emulator runs in
its own process. Traffic: @mentions (40%), DMs (30%), `/shishin ask` (20%) and clicks on a "Related"
button (10%), each with its own id. A request not acknowledged within 3 s is sent again with
X-Slack-Retry-Num, as Slack does. Reported per rate: ack p50/p99/max, error rate, answers delivered
vs expected (duplicates, losses), and the web process's RSS at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ack import free_port, wait_until_up  # noqa: E402
from tests.slack_requests import FORM, payload, sign  # noqa: E402

SECRET = "load-signing-secret-0123456789abc"
QUESTIONS = (
    "What does Direction 7 ask for?",
    "指示9は何を求めていますか？",
    "Is this guideline mandatory?",
    "PDCAはどの指示？",
    "What's the weather today?",
    "What are the ten items?",
)
SLACK_RETRY_AFTER = 3.0


def rss_kb(pid: int) -> int:
    """RSS of a process and its children (gunicorn's master and workers), in KiB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


class Traffic:
    def __init__(self, app_url: str, emulator_url: str) -> None:
        self.app_url, self.emulator_url = app_url, emulator_url
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.retries = 0
        self.expected: dict[str, int] = {"mention": 0, "dm": 0, "command": 0, "click": 0}

    def request(self, kind: str, index: int) -> tuple[bytes, str]:
        question = QUESTIONS[index % len(QUESTIONS)]
        if kind in ("mention", "dm"):
            body = payload("app_mention" if kind == "mention" else "message_im")
            body["event_id"] = f"EvLoad{kind}{index}"
            channel = "C0LOAD" if kind == "mention" else f"D0LOAD{index}"
            text = f"<@UBOT0SHISHIN> {question}" if kind == "mention" else question
            body["event"] |= {"text": text, "ts": f"1764140000.{index:06d}", "channel": channel}
            return json.dumps(body).encode(), "application/json"
        if kind == "command":
            form = payload("slash_command") | {
                "text": f"ask {question}",
                "response_url": f"{self.emulator_url}/response/load{index}",
            }
            return urlencode(form).encode(), FORM
        click = payload("block_actions")
        click["container"] = {"type": "message", "message_ts": f"1764150000.{index:06d}", "channel_id": "C0LOAD"}
        click["channel"] = {"id": "C0LOAD", "name": "load"}
        click["message"] = {"type": "message", "ts": f"1764150000.{index:06d}", "blocks": []}
        click["response_url"] = f"{self.emulator_url}/response/click{index}"
        click["actions"] = [
            {
                "action_id": "open_entry_0",
                "block_id": "b",
                "type": "button",
                "value": "v3-item-7|en",
                "text": {"type": "plain_text", "text": "x"},
                "action_ts": "1",
            }
        ]
        return urlencode({"payload": json.dumps(click)}).encode(), FORM

    def send(self, kind: str, index: int) -> None:
        data, content_type = self.request(kind, index)
        for attempt in range(4):  # Slack's first try and up to three retries
            ts = int(time.time())
            headers = {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": sign(SECRET, data, ts),
            }
            if attempt:
                headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"}
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(self.app_url, data=data, headers=headers), timeout=SLACK_RETRY_AFTER
                ) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, TimeoutError, OSError):
                ok = False
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed * 1000)
                if ok:
                    return
                self.retries += 1
        with self.lock:
            self.errors += 1


def run_rate(app_port: int, emulator_port: int, rate: int, seconds: int, offset: int) -> dict[str, float]:
    traffic = Traffic(f"http://127.0.0.1:{app_port}/slack/events", f"http://127.0.0.1:{emulator_port}")
    kinds = ["mention"] * 4 + ["dm"] * 3 + ["command"] * 2 + ["click"]
    total = rate * seconds
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=256) as pool:
        for n in range(total):
            kind = kinds[n % len(kinds)]
            traffic.expected[kind] += 1
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(traffic.send, kind, offset + n)
    latencies = sorted(traffic.latencies)
    return {
        "rate": rate,
        "requests": total,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99)],
        "max": latencies[-1],
        "errors": traffic.errors,
        "retries": traffic.retries,
        "expected": sum(traffic.expected.values()),
    }


def delivered(emulator_port: int, offset: int, total: int) -> tuple[int, int]:
    """(answers delivered once, duplicates) for requests offset..offset+total."""
    with urllib.request.urlopen(f"http://127.0.0.1:{emulator_port}/_calls", timeout=60) as response:
        data = json.load(response)
    keys: list[str] = []
    for call in data["calls"]:
        if call["method"] == "chat.postMessage" and call["status"] == 200:
            params = call["params"]
            keys.append(f"{params.get('channel')}:{params.get('thread_ts')}")
    keys += [response["key"] for response in data["responses"]]
    wanted = set()
    kinds = ["mention"] * 4 + ["dm"] * 3 + ["command"] * 2 + ["click"]
    for n in range(offset, offset + total):
        kind = kinds[(n - offset) % len(kinds)]
        wanted.add(
            {
                "mention": f"C0LOAD:1764140000.{n:06d}",
                "dm": f"D0LOAD{n}:None",
                "command": f"load{n}",
                "click": f"C0LOAD:1764150000.{n:06d}",
            }[kind]
        )
    counts: dict[str, int] = {}
    for key in keys:
        if key in wanted:
            counts[key] = counts.get(key, 0) + 1
    return len(counts), sum(c - 1 for c in counts.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rates", default="50,100,200")
    args = parser.parse_args()
    emulator_port, app_port = free_port(), free_port()
    emulator = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "slack_emulator.py"), "--port", str(emulator_port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = tempfile.mkdtemp(prefix="shishin-load-")
    env = os.environ | {
        "SLACK_BOT_TOKEN": "xoxb-load",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{emulator_port}/api/",
        "DATABASE_URL": f"sqlite:///{folder}/load.db",
        "LOG_LEVEL": "WARNING",
        "PORT": str(app_port),
    }
    env.pop("SLACK_APP_TOKEN", None)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, capture_output=True)
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "bot.web:create_web_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = []
    try:
        wait_until_up(emulator_port)
        wait_until_up(app_port)
        run_rate(app_port, emulator_port, 20, 2, 9_000_000)  # warm-up: imports, auth.test, caches
        time.sleep(2)
        offset = 0
        for rate in (int(r) for r in args.rates.split(",")):
            rss_start = rss_kb(web.pid)
            row = run_rate(app_port, emulator_port, rate, args.seconds, offset)
            time.sleep(5)  # let the background answers finish
            row["rss_start"], row["rss_end"] = rss_start / 1024, rss_kb(web.pid) / 1024
            row["delivered"], row["duplicates"] = delivered(emulator_port, offset, row["requests"])
            rows.append(row)
            offset += row["requests"]
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
        emulator.terminate()
        emulator.wait(timeout=10)
    print(f"Mixed traffic for {args.seconds} s per rate into gunicorn (gunicorn.conf.py) on loopback, SQLite\n")
    print(
        "| rate/s | requests | ack p50 ms | ack p99 ms | ack max ms | errors | Slack retries |"
        " answered once | duplicates | RSS start → end MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['rate']} | {r['requests']:,} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.0f} | {r['errors']} |"
            f" {r['retries']} | {r['delivered']:,}/{r['expected']:,} | {r['duplicates']} |"
            f" {r['rss_start']:.0f} → {r['rss_end']:.0f} |"
        )


if __name__ == "__main__":
    main()
