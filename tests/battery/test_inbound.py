"""Inbound security: whatever arrives at /slack/events, only a well-formed request signed with our
secret within five minutes does anything; everything else is 401 or 400, or a polite "unknown"."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from storage import Database
from storage.models import ProcessedEvent, QuestionLog
from tests.slack_requests import FORM, SlackScenario, payload, sign

pytestmark = pytest.mark.battery


def nothing_happened(scenario: SlackScenario, db_url: str) -> None:
    scenario.emulator.settle(0.3)
    assert [c.method for c in scenario.emulator.calls if c.method != "auth.test"] == []
    assert scenario.emulator.responses == []
    database = Database(db_url)
    try:
        with database.session() as session:
            assert session.query(QuestionLog).count() == 0
            assert session.query(ProcessedEvent).count() == 0
    finally:
        database.dispose()


def mention_body() -> bytes:
    return json.dumps(payload("app_mention")).encode()


def test_forged_missing_and_wrong_secret_signatures(scenario: SlackScenario, db_url: str) -> None:
    body, now = mention_body(), int(time.time())
    assert scenario.post(body, "application/json", signature="v0=" + "f" * 64).status_code == 401
    assert scenario.post(body, "application/json", signature="").status_code == 401
    assert scenario.post(body, "application/json", signature=sign("x" * 32, body, now)).status_code == 401
    assert scenario.client.post("/slack/events", data=body).status_code == 401
    nothing_happened(scenario, db_url)


def test_a_valid_signature_over_a_changed_body(scenario: SlackScenario, db_url: str) -> None:
    body, now = mention_body(), int(time.time())
    signature = sign(scenario.secret, body, now)
    changed = body.replace(b"Direction 7", b"Direction 8")
    assert scenario.post(changed, "application/json", timestamp=now, signature=signature).status_code == 401
    nothing_happened(scenario, db_url)


def test_replayed_headers_after_five_minutes(scenario: SlackScenario, db_url: str) -> None:
    body = mention_body()
    then = int(time.time()) - 5 * 60 - 1  # a captured request, replayed just past the window
    assert scenario.post(body, "application/json", timestamp=then).status_code == 401
    future = int(time.time()) + 5 * 60 + 1
    assert scenario.post(body, "application/json", timestamp=future).status_code == 401
    nothing_happened(scenario, db_url)


def test_oversized_bodies(scenario: SlackScenario, db_url: str) -> None:
    huge = json.dumps(payload("app_mention") | {"padding": "x" * 1_000_000}).encode()
    assert scenario.post(huge, "application/json").status_code == 400
    nothing_happened(scenario, db_url)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", "event": ', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"payload=%7Bnot%20json", FORM),
        (b"payload=%5B%5D", FORM),
    ],
)
def test_malformed_json_and_form_data(scenario: SlackScenario, db_url: str, body: bytes, content_type: str) -> None:
    assert scenario.post(body, content_type).status_code == 400
    nothing_happened(scenario, db_url)


def test_unknown_event_types_are_acknowledged_and_ignored(scenario: SlackScenario, db_url: str) -> None:
    body = payload("app_mention")
    body["event"] = {"type": "reaction_added", "user": "U0ALICE", "reaction": "eyes", "event_ts": "1.0"}
    assert scenario.post(json.dumps(body).encode(), "application/json").status_code == 200
    nothing_happened(scenario, db_url)


def test_unknown_commands_and_actions_get_a_polite_reply(scenario: SlackScenario, db_url: str) -> None:
    form = payload("slash_command") | {"command": "/shishinn", "text": "<!channel>"}
    response = scenario.post(urlencode(form).encode(), FORM)
    assert response.status_code == 200
    assert "doesn't know the command `/shishinn`" in response.get_data(as_text=True)
    action = payload("block_actions") | {
        "message": {"ts": "1.0", "blocks": []},
        "response_url": scenario.emulator.response_url("unknown"),
        "actions": [{"action_id": "no_such_button", "block_id": "b", "type": "button", "value": "1", "action_ts": "1"}],
    }
    assert scenario.post(urlencode({"payload": json.dumps(action)}).encode(), FORM).status_code == 200
    ((_, reply),) = scenario.emulator.wait_for_responses(1)
    assert reply["text"] == "That button isn't used any more."
    database = Database(db_url)
    try:
        with database.session() as session:
            assert session.query(QuestionLog).count() == 0
    finally:
        database.dispose()
