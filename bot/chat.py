"""`shishin chat`: the bot in a terminal, using the same services as Slack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TextIO

from bot import guide
from bot.checkins import CheckinError
from bot.container import Services
from bot.org import OrgConfig
from bot.periods import checks_for, period_of, weekday_in
from bot.render_text import render_answer
from bot.scheduler import LEASE
from storage.repositories import Deliveries, DeliveryKey

HELP = """Ask anything about the METI/IPA Cybersecurity Management Guidelines, in English or Japanese.
Commands:
  /items                      the ten items of the current version (3.0)
  /item N                     one item (1-10)
  /version N                  a version of the guidelines (1, 2 or 3)
  /checkin USER_ID            this week's check-in for an owner (from org.yaml), answered here
  /answer N STATUS LEVEL      answer check N: STATUS on_track|at_risk|blocked|done, LEVEL 0-5
  /note N TEXT                a note on the check-in that holds check N
  /help                       this text
  /quit                       leave (Ctrl-D works too)"""


@dataclass
class ChatSession:
    """Terminal state: who is answering check-ins, and the checks on screen (numbered from 1)."""

    services: Services
    record: bool = True
    user_id: str | None = None
    checks: list[tuple[int, str]] = field(default_factory=list)  # (delivery id, check ref)

    def handle(self, line: str) -> str | None:
        """One line of input -> the reply text; None means the user wants to leave."""
        text = line.strip()
        if not text:
            return ""
        if not text.startswith("/"):
            return render_answer(self.services.qa.ask(text, source="chat", record=self.record).answer)
        command, _, argument = text[1:].partition(" ")
        command = command.lower()
        if command in ("quit", "exit", "q"):
            return None
        kb = self.services.kb
        routes: dict[str, Callable[[], str]] = {
            "items": lambda: guide.items_text(kb, "en"),
            "item": lambda: guide.item_text(kb, guide.parse_item_number(argument), "en"),
            "version": lambda: guide.version_text(kb, guide.parse_version(argument), "en"),
            "checkin": lambda: self.checkin(argument.strip()),
            "answer": lambda: self.answer(argument.split()),
            "note": lambda: self.note(argument),
        }
        route = routes.get(command)
        if route is None:
            return HELP
        try:
            return route()
        except (guide.UnknownItemError, CheckinError, ValueError) as error:
            return str(error)

    def checkin(self, user_id: str) -> str:
        if not user_id:
            return "Say whose check-in: /checkin U0123ABCD (a user id from org.yaml)."
        org = self.services.orgs.load()
        if org is None or not org.items_of(user_id):
            return f"{user_id} owns no item. Import an org first: shishin org import org.yaml"
        self.user_id = user_id
        start_terminal_checkins(self.services, org, user_id)
        return self.show()

    def show(self) -> str:
        assert self.user_id is not None
        prompts = self.services.checkins.open_prompts(self.user_id)
        self.checks = []
        lines = [f"Open check-ins for {self.user_id}:"]
        for state in prompts:
            lines.append(f"Direction {state.item.number}: {state.item.title.en} (period {state.period})")
            for check in state.checks:
                self.checks.append((state.delivery_id, check.check.ref))
                status = check.status or "-"
                level = "-" if check.maturity is None else str(check.maturity)
                lines.append(f"  [{len(self.checks)}] {check.check.text.en}  (status {status}, maturity {level})")
            if state.note:
                lines.append(f"  note: {state.note[:200]}")
        lines.append("Answer with /answer N STATUS LEVEL, e.g. /answer 1 at_risk 2; add a note with /note N TEXT.")
        return "\n".join(lines if prompts else [f"No open check-ins for {self.user_id}."])

    def _check(self, number: str) -> tuple[int, str]:
        if self.user_id is None:
            raise ValueError("Start with /checkin USER_ID.")
        if not number.isdigit() or not 1 <= int(number) <= len(self.checks):
            raise ValueError(f"Pick a check from 1 to {len(self.checks)}.")
        return self.checks[int(number) - 1]

    def answer(self, words: list[str]) -> str:
        if len(words) != 3 or not words[2].isdigit():
            return "Usage: /answer N STATUS LEVEL, e.g. /answer 1 on_track 3"
        delivery_id, ref = self._check(words[0])
        assert self.user_id is not None
        self.services.checkins.answer(delivery_id, self.user_id, ref, status=words[1], maturity=int(words[2]))
        return "Recorded.\n" + self.show()

    def note(self, argument: str) -> str:
        number, _, text = argument.strip().partition(" ")
        delivery_id, _ = self._check(number)
        assert self.user_id is not None
        self.services.checkins.note(delivery_id, self.user_id, text)
        return "Note saved.\n" + self.show()


def start_terminal_checkins(services: Services, org: OrgConfig, user_id: str) -> None:
    """This week's prompts for `user_id`, delivered to the terminal: the same claims and rows as a
    Slack DM, so the answers count the same (and the Slack tick won't send them again)."""
    now = services.clock()
    period = period_of(now, org.tz)
    framework = services.kb.frameworks[org.guideline]
    with services.database.session() as session:
        deliveries = Deliveries(session)
        for number in org.items_of(user_id):
            key = DeliveryKey(user_id, number, period, "prompt")
            checks = ",".join(check.ref for check in checks_for(framework.item(number), user_id, period))
            deadline = max(now, weekday_in(period, org.checkins.weekday, org.checkins.at, org.tz)) + timedelta(
                hours=org.checkins.deadline_hours
            )
            claim = deliveries.claim(key, "terminal", now, lease=LEASE, due_at=now, deadline_at=deadline, checks=checks)
            if claim is not None:
                deliveries.mark_sent(claim, "terminal", "0", now)


def run_chat(services: Services, stdin: TextIO, stdout: TextIO, *, record: bool = True) -> int:
    interactive = stdin.isatty()
    session = ChatSession(services, record)
    stdout.write("Shishin chat. Type a question, or /help. /quit to leave.\n")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        reply = session.handle(line)
        if reply is None:
            break
        if reply:
            stdout.write(reply + "\n\n")
            stdout.flush()
    return 0
