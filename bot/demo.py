"""`shishin demo`: an offline showcase that needs no Slack and no configuration."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.container import build_services
from bot.render_text import render_answer
from bot.settings import Settings

SAMPLE_QUESTIONS = (
    "What are the ten items?",
    "Is following these guidelines mandatory?",
    "What does Direction 7 ask us to do?",
    "Which item in the 2015 version was about information sharing?",
    "インシデント対応体制について教えてください",
    "サプライチェーン対策はどの指示ですか？",
    "What's the weather in Tokyo tomorrow?",
)


def run_demo(out: Path | None, stdout: TextIO) -> int:
    started = time.perf_counter()
    folder = out or Path(tempfile.mkdtemp(prefix="shishin-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings(database_url=f"sqlite:///{folder / 'demo.db'}")
    services = build_services(settings)
    report = ["# Shishin demo: questions answered\n"]
    try:
        stdout.write(f"Shishin demo: {len(services.kb.entries)} knowledge entries loaded.\n\n")
        for question in SAMPLE_QUESTIONS:
            answer = services.qa.ask(question, source="demo").answer
            rendered = render_answer(answer)
            stdout.write(f"Q: {question}\n{rendered}\n\n")
            report.append(f"## {question}\n\n{rendered}\n")
    finally:
        services.close()
    (folder / "answers.md").write_text("\n".join(report), encoding="utf-8")
    elapsed = time.perf_counter() - started
    stdout.write(f"Wrote {folder / 'answers.md'} (and demo.db) in {elapsed:.1f} s.\n")
    return 0
