"""`shishin chat`: the bot in a terminal, using the same services as Slack."""

from __future__ import annotations

from typing import TextIO

from bot import guide
from bot.container import Services
from bot.render_text import render_answer

HELP = """Ask anything about the METI/IPA Cybersecurity Management Guidelines, in English or Japanese.
Commands:
  /items          the ten items of the current version (3.0)
  /item N         one item (1-10)
  /version N      a version of the guidelines (1, 2 or 3)
  /help           this text
  /quit           leave (Ctrl-D works too)"""


def handle_line(line: str, services: Services, *, record: bool) -> str | None:
    """One line of input -> the reply text; None means the user wants to leave."""
    text = line.strip()
    if not text:
        return ""
    if not text.startswith("/"):
        return render_answer(services.qa.ask(text, source="chat", record=record).answer)
    command, _, argument = text[1:].partition(" ")
    command = command.lower()
    if command in ("quit", "exit", "q"):
        return None
    browse = {
        "items": lambda: guide.items_text(services.kb, "en"),
        "item": lambda: guide.item_text(services.kb, guide.parse_item_number(argument), "en"),
        "version": lambda: guide.version_text(services.kb, guide.parse_version(argument), "en"),
    }.get(command)
    if browse is None:
        return HELP
    try:
        return browse()
    except guide.UnknownItemError as error:
        return str(error)


def run_chat(services: Services, stdin: TextIO, stdout: TextIO, *, record: bool = True) -> int:
    interactive = stdin.isatty()
    stdout.write("Shishin chat. Type a question, or /help. /quit to leave.\n")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        reply = handle_line(line, services, record=record)
        if reply is None:
            break
        if reply:
            stdout.write(reply + "\n\n")
            stdout.flush()
    return 0
