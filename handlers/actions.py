"""Buttons on answers: open a related or suggested entry, 👍/👎 feedback, share in channel."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import (
    ACTION_IDS,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    OPEN_ENTRY,
    SHARE_ANSWER,
    entry_message,
    feedback_thanks,
    parse_entry_value,
    shared_message,
    text_message,
)
from bot.container import Services
from bot.services import UnknownQuestionError

ACTIONS = ACTION_IDS
GONE = "That entry is no longer in the knowledge base."


def ack_now(ack: Ack) -> None:
    ack()


def _where(body: dict[str, Any]) -> dict[str, Any]:
    """Where a follow-up goes: the thread of the clicked message (in a channel) or the DM itself."""
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id")
    message = body.get("message") or {}
    target: dict[str, Any] = {"channel": channel}
    if channel and not channel.startswith("D"):
        target["thread_ts"] = message.get("thread_ts") or message.get("ts")
    return target


def register(app: App, services: Services) -> None:
    kb = services.kb

    def open_entry(body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        entry_id, lang = parse_entry_value(action.get("value", ""))
        entry = kb.find(entry_id)
        message = entry_message(entry, kb, lang) if entry else text_message(GONE)
        if body.get("container", {}).get("is_ephemeral") or not body.get("message"):
            respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())
        else:
            client.chat_postMessage(**_where(body), **message.as_kwargs())

    def feedback(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        question, _, lang = action.get("value", "").partition("|")
        helpful = action["action_id"] == FEEDBACK_UP
        try:
            services.qa.feedback(int(question), body["user"]["id"], helpful=helpful)
        except (ValueError, UnknownQuestionError):
            respond(response_type="ephemeral", replace_original=False, text="I couldn't find that answer any more.")
            return
        thanks = feedback_thanks("ja" if lang == "ja" else "en", helpful=helpful)
        respond(response_type="ephemeral", replace_original=False, **thanks.as_kwargs())

    def share(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        entry_id, lang = parse_entry_value(action.get("value", ""))
        entry = kb.find(entry_id)
        if entry is None:
            respond(response_type="ephemeral", replace_original=False, text=GONE)
            return
        message = shared_message(entry, lang, body["user"]["id"])
        respond(response_type="in_channel", delete_original=True, **message.as_kwargs())

    app.action(re.compile(rf"^{OPEN_ENTRY}_\d+$"))(ack=ack_now, lazy=[open_entry])
    app.action(FEEDBACK_UP)(ack=ack_now, lazy=[feedback])
    app.action(FEEDBACK_DOWN)(ack=ack_now, lazy=[feedback])
    app.action(SHARE_ANSWER)(ack=ack_now, lazy=[share])
