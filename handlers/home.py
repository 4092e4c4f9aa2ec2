"""The Home tab, published when someone opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import home_view
from bot.container import Services

EVENTS = ("app_home_opened",)


def register(app: App, services: Services) -> None:
    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        client.views_publish(user_id=event["user"], view=home_view(services.kb))

    app.event("app_home_opened")(publish)  # acknowledged by Bolt before this runs
