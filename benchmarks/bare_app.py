"""The baseline for benchmarks/ack.py: a bare Bolt app with a no-op listener, same adapter and server."""

from __future__ import annotations

import os

from flask import Flask, request
from flask.typing import ResponseReturnValue
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient


def create_bare_app() -> Flask:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    bolt = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @bolt.event("app_mention")
    def noop(ack: Ack) -> None:
        ack()

    handler = SlackRequestHandler(bolt)
    web = Flask("bare")

    @web.post("/slack/events")
    def events() -> ResponseReturnValue:
        return handler.handle(request)

    return web
