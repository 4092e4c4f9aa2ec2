"""`build_app(settings, client=None)`: the Bolt app with every listener registered. No import-time work."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot.container import Services, build_services
from bot.settings import Settings, SettingsError
from bot.slack_client import make_client

logger = logging.getLogger(__name__)


def build_app(settings: Settings, client: WebClient | None = None, services: Services | None = None) -> App:
    """Wire the Slack app. HTTP mode needs SLACK_SIGNING_SECRET; Socket Mode verifies by connection."""
    if settings.slack_bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN is not set: the Slack app needs it (see README, Configuration)")
    if not settings.socket_mode and settings.slack_signing_secret is None:
        raise SettingsError("SLACK_SIGNING_SECRET is not set: HTTP mode needs it to verify requests from Slack")
    services = services or build_services(settings)
    _ = services.kb.index  # build the search index now, not on the first question
    client = client or make_client(settings)
    services.attach_slack(client)
    app = App(
        # The token travels inside the client, which also carries SLACK_API_URL and the retry policy.
        client=client,
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("shishin.slack"),
    )
    for module in handlers.MODULES:
        module.register(app, services)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        # Bolt calls this from inside its `except`, so the traceback is the one being handled.
        logger.exception(  # noqa: LOG004
            "unhandled error in a Slack listener (type=%s)", body.get("type") or body.get("command"), exc_info=error
        )

    return app
