"""The one way to build a Slack Web API client: honours SLACK_API_URL and retries with a bound."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

MAX_RETRIES = 3  # per call, for each kind of failure; past that the error reaches the caller
TIMEOUT_SECONDS = 10


def make_client(settings: Settings, *, timeout: int = TIMEOUT_SECONDS, max_retries: int = MAX_RETRIES) -> WebClient:
    """A WebClient that waits out 429s (Retry-After) and retries connection errors and 5xx."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ],
    )
