"""Hostile text in questions, notes and org files: escaped or cut with a note; nothing lost or corrupted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.org import read_org
from storage import Database
from storage.models import CheckinAnswer, QuestionLog
from storage.repositories import MAX_STORED_QUESTION
from tests.conftest import CHECKIN_TOKYO, World
from tests.slack_requests import SlackScenario, payload

pytestmark = pytest.mark.battery

HOSTILE_QUESTIONS = [
    "<!channel> <!here> <!everyone> what is PDCA?",
    "<@U0CEO> <#C0SECRET|secret> <https://evil.example|click here> item 7?",
    "'; DROP TABLE questions; -- what is item 3?",
    "\u202eevil\u202c \u200b\u200dCSIRT\ufeff? 🔥🛡️👩‍💻",
    "PDCA\x00 with a NUL byte",
    "What is PDCA? " + "あ" * 40_000,
]


def stored_questions(db_url: str) -> list[str]:
    database = Database(db_url)
    try:
        with database.session() as session:
            return list(session.scalars(select(QuestionLog.text).order_by(QuestionLog.id)))
    finally:
        database.dispose()


def test_each_hostile_question_gets_one_inert_reply(scenario: SlackScenario, db_url: str) -> None:
    for number, text in enumerate(HOSTILE_QUESTIONS):
        body = payload("message_im")
        body["event_id"] = f"EvHostile{number}"
        body["event"] |= {"text": text, "ts": f"1764140100.{number:06d}"}
        assert scenario.post(json.dumps(body).encode(), "application/json").status_code == 200
    posts = scenario.emulator.wait_for("chat.postMessage", len(HOSTILE_QUESTIONS))
    for call in posts:
        rendered = json.dumps(call.params, ensure_ascii=False)
        for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U0CEO>", "<#C0SECRET", "<https://evil"):
            assert raw not in rendered
        for block in call.params["blocks"]:
            assert len(block.get("text", {}).get("text", "")) <= 3000
    stored = stored_questions(db_url)
    assert len(stored) == len(HOSTILE_QUESTIONS)
    assert "'; DROP TABLE questions; -- what is item 3?" in stored
    assert "PDCA with a NUL byte" in stored  # NUL removed, the rest kept
    assert max(len(text) for text in stored) == MAX_STORED_QUESTION
    assert any("500文字を超えていた" in json.dumps(c.params, ensure_ascii=False) for c in posts)  # a Japanese question


def test_hostile_and_huge_notes_are_kept_safely(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    delivery_id = world.dms("U0TOKYO")[0]["metadata"]["event_payload"]["delivery_id"]
    checkins = world.services.checkins
    checkins.note(delivery_id, "U0TOKYO", "<!channel> '; DELETE FROM deliveries; --\x00 ok")
    checkins.note(delivery_id, "U0TOKYO", "x" * 40_000)
    database = Database(world.db_url)
    try:
        with database.session() as session:
            notes = list(session.scalars(select(CheckinAnswer.note).where(CheckinAnswer.check_ref == "")))
    finally:
        database.dispose()
    assert notes == ["x" * 3000]  # cut to the modal's limit; the earlier note is in the history
    assert world.services.checkins.state(delivery_id).note == "x" * 3000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nowners: [*b, *b, *b]\n", "aliases"),
        ("guideline: v3\nadmins: [U0A\x00]\n", "NUL"),
        ("guideline: v3\nadmins: [" + "U" * 40_000 + "]\n", "user id"),
        ("owners: {1: ['<!channel>']}\n", "user id"),
    ],
)
def test_hostile_org_files_are_refused_with_a_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    org, problems = read_org(path)
    assert org is None
    assert problems
    assert all(str(problem).startswith(f"{path}:") for problem in problems)
    assert any(expected.lower() in problem.message.lower() for problem in problems), [str(p) for p in problems]
