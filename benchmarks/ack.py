"""Ack latency of the `web` process under load, beside a bare Bolt app.

    python benchmarks/ack.py [--events 1000] [--rate 100]

Starts the Slack emulator, then for each app: gunicorn with the Procfile's settings (gunicorn.conf.py)
on loopback, fires N signed app_mention events at RATE per second (each a new event id and question),
and measures the time from sending a request to its HTTP response. Shishin does the answering lazily
after the ack, so its answers are counted too (they must all arrive, exactly once).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.slack_requests import payload, sign  # noqa: E402

SECRET = "benchmark-signing-secret-0123456789"
QUESTIONS = (
    "What does Direction 7 ask for?",
    "指示9は何を求めていますか？",
    "Is this guideline mandatory?",
    "What are the ten items?",
    "PDCAはどの指示？",
    "Who publishes the guidelines?",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def fire(port: int, events: int, rate: float) -> tuple[list[float], int]:
    """Send `events` signed events at `rate`/s; returns latencies (ms) and the count of non-2xx answers."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    template = payload("app_mention")

    def send(index: int) -> None:
        nonlocal errors
        body = dict(template)
        body["event_id"] = f"EvBench{index:06d}-{time.time_ns()}"
        body["event"] = dict(
            template["event"],
            text=f"<@UBOT0SHISHIN> {QUESTIONS[index % len(QUESTIONS)]}",
            ts=f"{time.time_ns()}.{index:06d}",
        )
        data = json.dumps(body).encode()
        ts = int(time.time())
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events",
            data=data,
            headers={
                "Content-Type": "application/json",
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": sign(SECRET, data, ts),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                ok = 200 <= response.status < 300
        except OSError:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)
            errors += 0 if ok else 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for index in range(events):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, index)
    return latencies, errors


def run(label: str, app_spec: str, env: dict[str, str], events: int, rate: float) -> dict[str, float]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), app_spec],
        cwd=ROOT,
        env=env | {"PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port)
        fire(port, 20, rate)  # warm-up: workers import, connect, cache auth.test
        latencies, errors = fire(port, events, rate)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    latencies.sort()
    return {
        "label": label,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max": latencies[-1],
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per app, alternating; the median run is shown")
    args = parser.parse_args()
    # The emulator runs in its own process so that answering Shishin's posts doesn't steal the
    # load generator's GIL (which would show up as ack latency that isn't the app's).
    emulator_port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "slack_emulator.py"), "--port", str(emulator_port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(emulator_port)
    api_url = f"http://127.0.0.1:{emulator_port}/api/"
    folder = tempfile.mkdtemp(prefix="shishin-ack-")
    env = os.environ | {
        "SLACK_BOT_TOKEN": "xoxb-benchmark",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{folder}/bench.db",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("SLACK_APP_TOKEN", None)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, check=True, capture_output=True)
    shishin_runs, bare_runs = [], []
    for _ in range(args.repeat):  # alternate, so drifts in machine load hit both apps alike
        shishin_runs.append(run("Shishin (web process)", "bot.web:create_web_app()", env, args.events, args.rate))
        bare_runs.append(
            run("bare Bolt app, no-op listener", "benchmarks.bare_app:create_bare_app()", env, args.events, args.rate)
        )
    time.sleep(2)
    with urllib.request.urlopen(f"http://127.0.0.1:{emulator_port}/_calls", timeout=10) as response:
        calls = json.load(response)["calls"]
    threads = [call["params"].get("thread_ts") for call in calls if call["method"] == "chat.postMessage"]
    answers, unique = len(threads), len(set(threads))
    emulator.terminate()
    emulator.wait(timeout=10)
    shishin = sorted(shishin_runs, key=lambda row: row["p99"])[len(shishin_runs) // 2]
    bare = sorted(bare_runs, key=lambda row: row["p99"])[len(bare_runs) // 2]

    print(f"{args.events} signed app_mention events at {args.rate:.0f}/s, gunicorn per gunicorn.conf.py, loopback;")
    print(f"median of {args.repeat} alternating runs per app (by p99)\n")
    print("| app | ack p50 ms | ack p99 ms | ack max ms | errors |")
    print("|---|---:|---:|---:|---:|")
    for row in (shishin, bare):
        print(f"| {row['label']} | {row['p50']:.1f} | {row['p99']:.1f} | {row['max']:.1f} | {row['errors']:.0f} |")
    print(f"\np99 ratio Shishin / bare: {shishin['p99'] / bare['p99']:.2f}x")
    expected = args.repeat * (args.events + 20)
    print(
        f"answers posted by Shishin: {answers} for {expected} events (warm-up included);"
        f" duplicates {answers - unique}, lost {expected - unique}"
    )
    print(
        "p99 of every run, Shishin:",
        ", ".join(f"{row['p99']:.1f}" for row in shishin_runs),
        "| bare:",
        ", ".join(f"{row['p99']:.1f}" for row in bare_runs),
    )


if __name__ == "__main__":
    main()
