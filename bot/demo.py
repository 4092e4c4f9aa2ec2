"""`shishin demo`: the whole product offline. A demo organisation in a temporary SQLite database,
six weeks of simulated check-ins (progress, a blocked item, a silent owner), questions answered in
both languages, and the latest weekly digest written as Markdown and a PNG chart."""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.chart import chart_png
from bot.chat import start_terminal_checkins
from bot.container import Services, build_services
from bot.digest import covered_period, digest_markdown
from bot.org import OrgConfig
from bot.periods import period_of, shift, weekday_in
from bot.render_text import render_answer
from bot.settings import Settings
from storage.repositories import Users

SAMPLE_QUESTIONS = (
    "What are the ten items?",
    "Is following these guidelines mandatory?",
    "What does Direction 7 ask us to do?",
    "Which item in the 2015 version was about information sharing?",
    "インシデント対応体制について教えてください",
    "サプライチェーン対策はどの指示ですか？",
    "What's the weather in Tokyo tomorrow?",
)
# (user id, display name, items owned)
PEOPLE = (
    ("U0DEMOCEO", "Aiko Tanaka (CEO)", (1,)),
    ("U0DEMOCISO", "Kenji Sato (CISO)", (2, 4, 6)),
    ("U0DEMOCFO", "Mika Ito (CFO)", (3,)),
    ("U0DEMOSOC", "Ryo Nakamura (SOC lead)", (5, 7)),
    ("U0DEMOBCP", "Yui Kobayashi (BCP)", (8,)),
    ("U0DEMOPROC", "Daichi Mori (Procurement)", (9,)),
    ("U0DEMOPR", "Emma Clarke (Comms)", (10,)),
)
SILENT, BLOCKED_ITEM = "U0DEMOBCP", 9
WEEKS = 6
TOKYO = ZoneInfo("Asia/Tokyo")


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def demo_org() -> OrgConfig:
    owners: dict[int, tuple[str, ...]] = {}
    for user, _name, items in PEOPLE:
        for item in items:
            owners[item] = (*owners.get(item, ()), user)
    return OrgConfig(timezone="Asia/Tokyo", admins=("U0DEMOCISO",), leadership_channels=("C0DEMOBOARD",), owners=owners)


def simulate(services: Services, clock: _Clock, org: OrgConfig, first_week: str, rng: random.Random) -> None:
    """WEEKS weeks of check-ins through the same services the Slack app uses (no Slack)."""
    with services.database.session() as session:
        users = Users(session)
        for user, name, _items in PEOPLE:
            users.save(user, tz="Asia/Tokyo", locale="en-US", is_admin=False, is_owner=False, at=clock(), name=name)
    levels: dict[str, int] = {}
    for week_number in range(WEEKS):
        week = shift(first_week, week_number)
        clock.now = weekday_in(week, org.checkins.weekday, org.checkins.at, org.tz) + timedelta(minutes=5)
        for user, _name, _items in PEOPLE:
            start_terminal_checkins(services, org, user)
            if user == SILENT and week_number >= 2:
                continue  # stops answering after two weeks
            for state in services.checkins.open_prompts(user):
                clock.now += timedelta(minutes=rng.randint(5, 90))
                for check in state.checks:
                    ref = check.check.ref
                    level = min(5, levels.get(ref, rng.randint(0, 2)) + rng.choice((0, 0, 1, 1, 2)))
                    levels[ref] = level
                    if state.item.number == BLOCKED_ITEM and week_number >= WEEKS - 2:
                        status = "blocked"
                    else:
                        status = "done" if level == 5 else rng.choice(("on_track", "on_track", "at_risk"))
                    services.checkins.answer(state.delivery_id, user, ref, status=status, maturity=level)
                if state.item.number == BLOCKED_ITEM and week_number >= WEEKS - 2:
                    services.checkins.note(
                        state.delivery_id,
                        user,
                        "Two key vendors haven't returned the security questionnaire; contract renewal is on hold.",
                    )


def run_demo(out: Path | None, stdout: TextIO) -> int:
    started = time.perf_counter()
    folder = out or Path(tempfile.mkdtemp(prefix="shishin-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("demo.db*"):  # every run starts from a fresh demo database
        stale.unlink()
    today = datetime.now(TOKYO)
    first_week = shift(period_of(today, TOKYO), -WEEKS)
    clock = _Clock(today)
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}")
    services = build_services(settings, clock=clock)
    try:
        org = demo_org()
        services.orgs.save(org)
        stdout.write(
            f"Shishin demo: {len(services.kb.entries)} knowledge entries; a demo organisation of "
            f"{len(PEOPLE)} owners; {WEEKS} weeks of simulated check-ins…\n\n"
        )
        simulate(services, clock, org, first_week, random.Random(49))  # noqa: S311 - a fixed, repeatable demo
        last_week = shift(first_week, WEEKS - 1)
        clock.now = weekday_in(last_week, 3, org.checkins.at, org.tz)  # questions asked during that week
        report = ["# Shishin demo\n", "## Questions answered\n"]
        for question in SAMPLE_QUESTIONS:
            rendered = render_answer(services.qa.ask(question, source="demo").answer)
            stdout.write(f"Q: {question}\n{rendered}\n\n")
            report.append(f"### {question}\n\n{rendered}\n")
        week = covered_period(org, weekday_in(shift(first_week, WEEKS), org.digest.weekday, org.digest.at, org.tz))
        digest = services.digests.build(replace(org), week)
        markdown = digest_markdown(digest, services.kb, "en")
        chart = folder / f"readiness-{week}.png"
        chart.write_bytes(chart_png(digest.readiness, digest.previous, list(digest.trend)))
        (folder / "digest.md").write_text(markdown + f"\n![Readiness chart]({chart.name})\n", encoding="utf-8")
        (folder / "answers.md").write_text("\n".join(report), encoding="utf-8")
    finally:
        services.close()
    stdout.write("The weekly digest for leadership:\n\n" + markdown + "\n")
    elapsed = time.perf_counter() - started
    stdout.write(f"Wrote {folder / 'digest.md'}, {chart} and {folder / 'answers.md'} in {elapsed:.1f} s.\n")
    return 0
