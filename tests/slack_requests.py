"""Signed request bodies shaped like Slack's real payloads (fixtures in tests/fixtures/slack/)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.slack_emulator import SlackEmulator

PAYLOADS = Path(__file__).parent / "fixtures" / "slack"
FORM = "application/x-www-form-urlencoded"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def sign(secret: str, body: bytes, timestamp: int) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(block, element) of the first interactive element with this action id, as Slack would send it."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return block, element
    raise AssertionError(f"no element {action_id!r} in the posted blocks")


@dataclass
class SlackScenario:
    """Drives the app the way Slack does: signed POSTs to /slack/events; Slack's side is the emulator."""

    client: FlaskClient
    emulator: SlackEmulator
    secret: str

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        ts = int(time.time()) if timestamp is None else timestamp
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature if signature is not None else sign(self.secret, body, ts),
            **(headers or {}),
        }
        return self.client.post("/slack/events", data=body, headers=all_headers)

    def event(self, name: str, *, retry: int | None = None, **event_fields: Any) -> TestResponse:
        body = payload(name)
        body["event"].update(event_fields)
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(body).encode(), "application/json", headers=headers)

    def command(self, text: str, **fields: Any) -> TestResponse:
        form = payload("slash_command") | {"text": text, "response_url": self.emulator.response_url("cmd")} | fields
        return self.post(urlencode(form).encode(), FORM)

    def click(
        self,
        message: dict[str, Any],
        action_id: str,
        *,
        channel: str = "C0GENERAL",
        ephemeral: bool = False,
        user: str = "U0ALICE",
    ) -> TestResponse:
        """Click a button in a message the app posted (the blocks as the emulator received them)."""
        block, element = find_element(message["blocks"], action_id)
        body = copy.deepcopy(payload("block_actions"))
        ts = message.get("ts", "1764140000.000900")
        body["user"] |= {"id": user}
        body["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral}
        body["channel"] = {"id": channel, "name": "general" if channel.startswith("C") else "directmessage"}
        body["message"] = {"type": "message", "ts": ts, "text": message.get("text", ""), "blocks": message["blocks"]}
        if message.get("thread_ts"):
            body["message"]["thread_ts"] = message["thread_ts"]
        if ephemeral:
            del body["message"]
        body["response_url"] = self.emulator.response_url("action")
        body["actions"] = [
            {
                "action_id": action_id,
                "block_id": block.get("block_id", "b1"),
                "text": element["text"],
                "value": element.get("value", ""),
                "type": element["type"],
                "action_ts": f"{time.time():.6f}",
            }
        ]
        return self.post(urlencode({"payload": json.dumps(body)}).encode(), FORM)


def main() -> None:
    """Send one signed Slack-shaped request to a running Shishin (for trying it by hand)."""
    import argparse
    import urllib.request

    parser = argparse.ArgumentParser(description="POST a signed Slack payload to Shishin.")
    parser.add_argument("fixture", help="a payload in tests/fixtures/slack, e.g. app_mention or message_im")
    parser.add_argument("--url", default="http://127.0.0.1:3000/slack/events")
    parser.add_argument("--secret", required=True, help="the app's SLACK_SIGNING_SECRET")
    parser.add_argument("--text", help="replace the event's text")
    parser.add_argument("--event-id", help="replace the event id (a new id is a new event)")
    args = parser.parse_args()
    body = payload(args.fixture)
    if args.text is not None:
        body["event"]["text"] = args.text
    body["event_id"] = args.event_id or f"Ev{int(time.time() * 1000)}"
    data = json.dumps(body).encode()
    ts = int(time.time())
    request = urllib.request.Request(
        args.url,
        data=data,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(args.secret, data, ts),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        print(response.status, response.read().decode() or "(empty body: acknowledged)")


if __name__ == "__main__":
    main()
