"""The one way to build a Slack Web API client: honours SLACK_API_URL and retries with a bound."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler

from bot.settings import Settings

MAX_RETRIES = 3  # per call, for each kind of failure; past that the error reaches the caller
TIMEOUT_SECONDS = 10


class RateGate:
    """Shared by every thread using one client: after a 429, all of them wait out Retry-After together
    instead of each hammering Slack and collecting its own 429."""

    def __init__(self) -> None:
        self._resume_at = 0.0
        self._lock = threading.Lock()

    def __deepcopy__(self, _memo: dict[int, Any]) -> RateGate:
        return self  # Bolt deep-copies requests (and their client) for lazy listeners; the gate stays shared

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)

    def wait(self) -> None:
        while (delay := self._resume_at - time.monotonic()) > 0:
            time.sleep(delay)


class RateLimitRetryHandler(RetryHandler):
    """Retries a 429 after its Retry-After (plus a little jitter), pausing the whole client meanwhile."""

    def __init__(self, gate: RateGate, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.gate = gate

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:  # noqa: ARG002
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: Any,
        request: Any,  # noqa: ARG002 - RetryHandler's signature
        response: Any = None,
        error: Any = None,  # noqa: ARG002
    ) -> None:
        headers = {key.lower(): value for key, value in (response.headers if response else {}).items()}
        raw = headers.get("retry-after", ["1"])
        value = raw[0] if isinstance(raw, list) else raw
        seconds = float(value) if str(value).replace(".", "", 1).isdigit() else 1.0
        self.gate.pause(seconds + random.uniform(0, 0.05))  # noqa: S311 - jitter, not security
        self.gate.wait()
        state.next_attempt_requested = True
        state.increment_current_attempt()


class GatedWebClient(WebClient):
    """A WebClient that waits at the rate gate before every call."""

    def __init__(self, *args: Any, gate: RateGate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        self.gate.wait()
        return super().api_call(*args, **kwargs)


def make_client(settings: Settings, *, timeout: int = TIMEOUT_SECONDS, max_retries: int = MAX_RETRIES) -> WebClient:
    """A WebClient that waits out 429s (Retry-After) and retries connection errors and 5xx, with a bound."""
    gate = RateGate()
    return GatedWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        gate=gate,
        retry_handlers=[
            RateLimitRetryHandler(gate, max_retry_count=max_retries),
            ServerErrorRetryHandler(max_retry_count=max_retries),
            ConnectionErrorRetryHandler(max_retry_count=max_retries),
        ],
    )
