"""Registered last: requests no other listener claimed get a polite answer instead of a 404 (which
would make Slack retry an event, or show the user an error)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.container import Services
from bot.slack_text import clip, escape

ANYTHING = re.compile(r".*")
logger = logging.getLogger(__name__)


def register(app: App, _services: Services) -> None:
    def ignore_event(event: dict[str, Any]) -> None:
        logger.info("ignored an event of type %s", str(event.get("type"))[:40])

    def unknown_command(ack: Ack, command: dict[str, Any]) -> None:
        name = escape(clip(str(command.get("command", "")), 40))
        ack(f"Shishin doesn't know the command `{name}`. Try `/shishin help`.")

    def unknown_action(ack: Ack, respond: Respond) -> None:
        ack()
        respond(response_type="ephemeral", replace_original=False, text="That button isn't used any more.")

    def unknown_view(ack: Ack) -> None:
        ack()

    app.event(ANYTHING)(ignore_event)
    app.command(ANYTHING)(unknown_command)
    app.action(ANYTHING)(unknown_action)
    app.view(ANYTHING)(unknown_view)
