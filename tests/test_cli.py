"""The `shishin` command as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from storage import Database
from storage.repositories import Questions


@pytest.fixture
def env_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SHISHIN_KB_PATH", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return url


def recorded(url: str) -> int:
    database = Database(url)
    try:
        with database.session() as session:
            return Questions(session).count()
    finally:
        database.dispose()


def test_ask_prints_answer_and_source(env_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "What does Direction 7 ask for?"]) == 0
    out = capsys.readouterr().out
    assert "CSIRT" in out
    assert "Source: " in out
    assert recorded(env_db) == 1


def test_ask_json_reads_stdin_in_order(
    env_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("What is item 3?\n\n指示10は？\nweather tomorrow?\n"))
    assert main(["ask", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["question"] for line in lines] == ["What is item 3?", "指示10は？", "weather tomorrow?"]
    assert lines[0]["refs"] == ["v3.item.3"]
    assert lines[1]["lang"] == "ja"
    assert lines[1]["refs"] == ["v3.item.10"]
    assert lines[2]["answered"] is False
    assert recorded(env_db) == 3


def test_no_record_leaves_the_database_alone(env_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--no-record", "--json", "PDCA?"]) == 0
    assert json.loads(capsys.readouterr().out)["answered"] is True
    assert not Path(env_db.removeprefix("sqlite:///")).exists()


@pytest.mark.usefixtures("env_db")
def test_unanswered_lists_refused_questions(capsys: pytest.CaptureFixture[str]) -> None:
    main(["ask", "How do I book a meeting room?"])
    main(["ask", "how do i book a meeting room?"])
    capsys.readouterr()
    assert main(["kb", "unanswered"]) == 0
    out = capsys.readouterr().out
    assert "    2  " in out
    assert "meeting room" in out


def test_bad_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "not-a-token-value")
    assert main(["ask", "--no-record", "PDCA?"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "SLACK_BOT_TOKEN" in err
    assert "not-a-token-value" not in err


@pytest.mark.usefixtures("env_db")
def test_kb_export_is_json_of_every_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "export", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) > 80
    assert {"id", "refs", "title", "questions", "answer", "source", "related"} <= set(entries[0])


@pytest.mark.usefixtures("env_db")
def test_chat_answers_and_browses(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("/items\n/item 12\nWhat is PDCA?\n/quit\nnever read\n"))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "10. " in out  # the item list
    assert "items are numbered 1 to 10" in out
    assert "PDCA" in out
    assert "never read" not in out


def test_demo_writes_its_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "I don't know" in out  # the out-of-scope sample is refused
    assert "指示7では" in out  # a Japanese question answered in Japanese
    assert (tmp_path / "demo" / "answers.md").read_text(encoding="utf-8").startswith("# Shishin demo")
    digest = (tmp_path / "demo" / "digest.md").read_text(encoding="utf-8")
    assert "Overall readiness" in digest
    assert "🔴" in digest  # the blocked item, with its owner's note
    assert "No response this week" in digest
    assert "Yui Kobayashi" in digest.split("No response this week")[1]  # the silent owner
    charts = list((tmp_path / "demo").glob("readiness-*.png"))
    assert len(charts) == 1
    assert charts[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0  # a second run starts afresh


def test_every_command_has_help() -> None:
    parser = build_parser()
    for action in parser._subparsers._group_actions:  # noqa: SLF001 - argparse has no public listing
        for name, sub in action.choices.items():
            assert sub.format_help(), name


def test_python_dash_m_bot_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert "demo" in result.stdout


def test_chat_runs_a_checkin_in_the_terminal(
    env_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("guideline: v3\ntimezone: Asia/Tokyo\nowners: {5: [U0OWNER]}\n", encoding="utf-8")
    assert main(["org", "import", str(org)]) == 0
    script = "/checkin U0NOBODY\n/checkin U0OWNER\n/answer 1 at_risk 2\n/answer 9 done 1\n/note 1 waiting on budget\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main(["chat", "--no-record"]) == 0
    out = capsys.readouterr().out
    assert "U0NOBODY owns no item" in out
    assert "Direction 5" in out
    assert "(status at_risk, maturity 2)" in out
    assert "Pick a check from 1 to" in out
    assert "note: waiting on budget" in out
    assert recorded(env_db) == 0


@pytest.mark.usefixtures("env_db")
def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`shishin ask ... | head`: the reader goes away; the command ends quietly."""
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--no-record", "What are the ten items?"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()  # the reader is gone before the answer is written, like `head -0`
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr
