"""Questions by @mention (answered in a thread) and by DM (answered in the DM).

Bolt acknowledges an event before its listener runs and runs the listener on a worker thread
(process_before_response is off), so answering never delays the ack.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import answer_message, text_message
from bot.container import Services
from bot.slack_text import to_plain

EVENTS = ("app_mention", "message.im")
# Message subtypes that are still a person typing a question (file shares carry text too).
USER_TEXT_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})

EMPTY_QUESTION = (
    "Ask me anything about the Cybersecurity Management Guidelines, in English or Japanese — for example: "
    "_What does Direction 7 ask for?_ or _指示9とは？_"
)


def register(app: App, services: Services) -> None:
    def answer(event: dict[str, Any], body: dict[str, Any], client: WebClient, *, source: str, thread: bool) -> None:
        question = to_plain(event.get("text") or "")
        reply_to = {"channel": event["channel"]}
        if thread:
            reply_to["thread_ts"] = event.get("thread_ts") or event["ts"]
        if not question:
            if services.events.first_time(body.get("event_id")):
                client.chat_postMessage(**reply_to, **text_message(EMPTY_QUESTION).as_kwargs())
            return
        result = services.qa.ask_once(
            body.get("event_id"), question, source=source, user_id=event.get("user"), channel_id=event["channel"]
        )
        if result is None:
            return  # Slack retried an event we already answered
        message = answer_message(result.answer, question_id=result.question_id)
        client.chat_postMessage(**reply_to, **message.as_kwargs())

    def answer_mention(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        answer(event, body, client, source="mention", thread=True)

    def answer_dm(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("subtype") not in USER_TEXT_SUBTYPES or event.get("bot_id"):
            return  # edits, deletions, joins, other bots and our own replies are not questions
        answer(event, body, client, source="dm", thread=False)

    def ignore(logger: logging.Logger) -> None:
        logger.debug("ignored a message event outside a DM")

    app.event("app_mention")(answer_mention)
    app.event({"type": "message", "channel_type": "im"})(answer_dm)
    # Slack may deliver other message events (e.g. when the app is added to a channel); they need no answer.
    app.event("message")(ignore)
