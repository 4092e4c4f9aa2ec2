"""Two web workers on one database, and PostgreSQL restarting mid-run."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.container import build_services
from bot.web import create_web_app
from knowledge import KnowledgeBase
from storage import upgrade
from tests.conftest import CHECKIN_TOKYO, SIGNING_SECRET, World, app_settings
from tests.slack_emulator import SlackEmulator
from tests.slack_requests import SlackScenario, payload
from tests.test_faults_helpers import delivered
from tests.test_tick_processes import big_org

pytestmark = pytest.mark.battery


def test_two_web_workers_answer_a_retried_event_once(
    db_url: str, kb: KnowledgeBase, slack_emulator: SlackEmulator
) -> None:
    upgrade(db_url)
    settings = app_settings(db_url, slack_emulator)
    workers = []
    for _ in range(2):  # separate services and engines, as two gunicorn workers would have
        services = build_services(settings, kb=kb)
        workers.append(
            (
                services,
                SlackScenario(
                    create_web_app(settings, services=services).test_client(), slack_emulator, SIGNING_SECRET
                ),
            )
        )
    try:
        for number in range(10):
            body = payload("app_mention")
            body["event_id"] = f"EvRace{number}"
            body["event"] |= {"ts": f"1764140000.{number:06d}"}
            data = json.dumps(body).encode()
            barrier = threading.Barrier(4)

            def send(
                worker: SlackScenario, retry: int, data: bytes = data, barrier: threading.Barrier = barrier
            ) -> None:
                barrier.wait()
                headers = {"X-Slack-Retry-Num": str(retry)} if retry else {}
                assert worker.post(data, "application/json", headers=headers).status_code == 200

            threads = [threading.Thread(target=send, args=(workers[i % 2][1], i)) for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        slack_emulator.settle(0.5)
        threads_answered = [c.params["thread_ts"] for c in slack_emulator.calls_to("chat.postMessage")]
        assert sorted(threads_answered) == sorted(f"1764140000.{n:06d}" for n in range(10))
    finally:
        for services, _ in workers:
            services.close()


@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None, reason="needs a local PostgreSQL cluster to restart")
def test_postgresql_restarting_mid_run(world: World, tmp_path: Path) -> None:
    if not world.db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    org, problems = world.services.orgs.import_file(big_org(tmp_path))
    assert org is not None, problems
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    world.tick(CHECKIN_TOKYO)  # the first round goes out
    first = dict(delivered(world))
    with world.services.database.session() as session:  # take half back, as if they never went
        from storage.models import Delivery

        for row in session.query(Delivery).filter(Delivery.item > 5):
            row.state = "pending"
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"], check=True, timeout=60
    )
    for _ in range(30):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            break
        time.sleep(1)
    report = world.tick(CHECKIN_TOKYO + timedelta(minutes=1))  # stale pooled connections are replaced
    assert report.counts["recovered (had been sent)"] == 20
    assert delivered(world) == first
    assert set(first.values()) == {1}
