"""`/shishin <subcommand>`: ask (ephemeral, with "Share in channel"), help, items, item N, version N."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import guide
from bot.blocks import Message, answer_message, rich_message, text_message
from bot.container import Services
from bot.digest import status_text
from bot.slack_text import clip, to_plain
from handlers.admin import admin_command
from handlers.checkins import open_checkins_message
from knowledge.text import detect_lang

COMMANDS = ("/shishin",)

# Subcommand -> one line of help. The docs test checks each appears here, in the README and the manifest.
SUBCOMMANDS = {
    "ask": "`/shishin ask <question>` — answer a question (only you see it; you can share it)",
    "items": "`/shishin items` — the ten items of the current version (3.0)",
    "item": "`/shishin item <1-10>` — one item of the current version",
    "version": "`/shishin version <1|2|3>` — what a version of the guidelines contains",
    "status": "`/shishin status` — the company's readiness score, overall and per item",
    "checkin": "`/shishin checkin` — your open check-ins (owners of the ten items)",
    "admin": "`/shishin admin …` — set owners, leadership channels and schedules (admins only)",
    "help": "`/shishin help` — this list",
}
HELP = "\n".join(
    [
        "*Shishin* answers questions about the METI/IPA Cybersecurity Management Guidelines, in English or "
        "Japanese. Mention me, DM me, or use:",
        *(f"• {line}" for line in SUBCOMMANDS.values()),
    ]
)


def status_message(services: Services) -> Message:
    """Readiness for anyone who asks: scores only, never notes or names."""
    org = services.orgs.load()
    if org is None:
        return text_message("Readiness isn't set up yet: an admin imports org.yaml first.")
    return rich_message(status_text(services.digests.current(org), services.kb, org.language))


def help_message(note: str = "") -> Message:
    return text_message(f"{note}\n\n{HELP}".strip())


def register(app: App, services: Services) -> None:
    kb = services.kb

    def ask(question: str, command: dict[str, Any]) -> Message:
        if not question:
            return help_message("Add your question after `ask`, e.g. `/shishin ask What is Direction 7?`")
        result = services.qa.ask(
            question, source="command", user_id=command.get("user_id"), channel_id=command.get("channel_id")
        )
        return answer_message(result.answer, question_id=result.question_id, shareable=True)

    def items(argument: str, _command: dict[str, Any]) -> Message:
        return text_message(guide.items_text(kb, detect_lang(argument)))

    def item(argument: str, _command: dict[str, Any]) -> Message:
        return text_message(guide.item_text(kb, guide.parse_item_number(argument), detect_lang(argument)))

    def version(argument: str, _command: dict[str, Any]) -> Message:
        return text_message(guide.version_text(kb, guide.parse_version(argument), detect_lang(argument)))

    routes: dict[str, Callable[[str, dict[str, Any]], Message]] = {
        "ask": ask,
        "items": items,
        "item": item,
        "version": version,
        "status": lambda _argument, _command: status_message(services),
        "checkin": lambda _argument, command: open_checkins_message(services, str(command.get("user_id", ""))),
        "admin": lambda argument, command: admin_command(argument, command, services),
        "help": lambda _argument, _command: help_message(),
    }

    def ack_now(ack: Ack) -> None:
        ack()

    def run(command: dict[str, Any], respond: Respond) -> None:
        raw = " ".join((command.get("text") or "").split())
        name, _, argument = raw.partition(" ")
        if name.lower() != "admin":  # admin needs the <@U…>/<#C…> ids; everything else wants plain text
            name, _, argument = to_plain(raw).partition(" ")
        route = routes.get(name.lower())
        if route is None:
            note = f"I don't know `{clip(name, 40)}`." if name else ""
            respond(response_type="ephemeral", **help_message(note).as_kwargs())
            return
        try:
            message = route(argument.strip(), command)
        except guide.UnknownItemError as error:
            message = help_message(str(error))
        respond(response_type="ephemeral", **message.as_kwargs())

    app.command("/shishin")(ack=ack_now, lazy=[run])
