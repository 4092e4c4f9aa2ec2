"""Signed requests shaped like Slack's go through POST /slack/events; Slack's side is the emulator."""

from __future__ import annotations

import json
import time
from typing import Any

from storage import Database
from storage.models import AnswerFeedback, QuestionLog
from tests.slack_emulator import Fault, SlackEmulator
from tests.slack_requests import SlackScenario, sign


def posted_text(call_params: dict[str, Any]) -> str:
    return json.dumps(call_params.get("blocks"), ensure_ascii=False) + str(call_params.get("text"))


def rows(db_url: str, model: type) -> int:
    database = Database(db_url)
    try:
        with database.session() as session:
            return session.query(model).count()
    finally:
        database.dispose()


def test_mention_is_answered_in_its_thread(scenario: SlackScenario) -> None:
    response = scenario.event("app_mention")
    assert response.status_code == 200
    (call,) = scenario.emulator.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0GENERAL"
    assert call.params["thread_ts"] == "1764140000.000100"
    assert "Direction 7" in posted_text(call.params)
    assert "CSIRT" in call.params["text"]
    assert call.token == "xoxb-test-token"


def test_dm_in_japanese_is_answered_in_japanese_in_the_dm(scenario: SlackScenario) -> None:
    scenario.event("message_im")
    (call,) = scenario.emulator.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0ALICE"
    assert "thread_ts" not in call.params
    assert "指示9" in call.params["text"]
    assert "サプライチェーン" in call.params["text"]


def test_edits_and_bot_messages_get_no_answer(scenario: SlackScenario) -> None:
    assert scenario.event("message_im_changed").status_code == 200
    assert scenario.event("message_im_bot").status_code == 200
    scenario.emulator.settle()
    assert scenario.emulator.calls_to("chat.postMessage") == []


def test_a_retried_event_gets_exactly_one_answer(scenario: SlackScenario, db_url: str) -> None:
    assert scenario.event("app_mention").status_code == 200
    assert scenario.event("app_mention", retry=1).status_code == 200
    assert scenario.event("app_mention", retry=2).status_code == 200
    scenario.emulator.wait_for("chat.postMessage")
    scenario.emulator.settle()
    assert len(scenario.emulator.calls_to("chat.postMessage")) == 1
    assert rows(db_url, QuestionLog) == 1


def test_forged_unsigned_and_stale_requests_get_401_and_change_nothing(scenario: SlackScenario, db_url: str) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "EvForged",
            "event": {
                "type": "app_mention",
                "text": "<@UBOT0SHISHIN> hi",
                "user": "U0EVE",
                "channel": "C1",
                "ts": "1.0",
            },
        }
    ).encode()
    now = int(time.time())
    forged = scenario.post(body, "application/json", signature="v0=" + "0" * 64)
    unsigned = scenario.client.post("/slack/events", data=body, headers={"Content-Type": "application/json"})
    stale = scenario.post(body, "application/json", timestamp=now - 6 * 60)
    wrong_secret = scenario.post(body, "application/json", signature=sign("not-the-secret", body, now), timestamp=now)
    assert [r.status_code for r in (forged, unsigned, stale, wrong_secret)] == [401, 401, 401, 401]
    scenario.emulator.settle()
    assert scenario.emulator.calls_to("chat.postMessage") == []
    assert rows(db_url, QuestionLog) == 0


def test_slash_ask_answers_privately_and_can_be_shared(scenario: SlackScenario) -> None:
    response = scenario.command("ask What does Direction 7 ask for?")
    assert response.status_code == 200
    ((_, reply),) = scenario.emulator.wait_for_responses(1)
    assert reply["response_type"] == "ephemeral"
    assert "Direction 7" in posted_text(reply)
    scenario.click(reply, "share_answer", ephemeral=True)
    responses = scenario.emulator.wait_for_responses(2)
    shared = responses[1][1]
    assert shared["response_type"] == "in_channel"
    assert "Shared by <@U0ALICE>" in posted_text(shared)


def test_slash_help_items_item_and_unknown(scenario: SlackScenario) -> None:
    scenario.command("items")
    scenario.command("item 12")
    scenario.command("version 2")
    scenario.command("frobnicate")
    responses = [body for _, body in scenario.emulator.wait_for_responses(4)]
    texts = [posted_text(body) for body in responses]
    assert any("10. " in text for text in texts)  # the list of the ten items
    assert any("items are numbered 1 to 10" in text for text in texts)
    assert any("Ver 2.0" in text or "2017" in text for text in texts)
    assert any("I don't know `frobnicate`" in text and "/shishin ask" in text for text in texts)


def test_related_button_answers_in_the_thread_and_feedback_is_stored(scenario: SlackScenario, db_url: str) -> None:
    scenario.event("app_mention")
    (answer,) = scenario.emulator.wait_for("chat.postMessage")
    message = answer.params | {"ts": "1764140000.000999", "thread_ts": answer.params["thread_ts"]}
    scenario.click(message, "open_entry_0")
    calls = scenario.emulator.wait_for("chat.postMessage", 2)
    assert calls[1].params["thread_ts"] == "1764140000.000100"
    assert calls[1].params["text"] != answer.params["text"]
    scenario.click(message, "feedback_down")
    ((_, thanks),) = scenario.emulator.wait_for_responses(1)
    assert thanks["response_type"] == "ephemeral"
    assert "Thanks" in thanks["text"]
    assert rows(db_url, AnswerFeedback) == 1


def test_home_tab_is_published(scenario: SlackScenario) -> None:
    scenario.event("app_home_opened")
    (call,) = scenario.emulator.wait_for("views.publish")
    assert call.params["user_id"] == "U0ALICE"
    view = call.params["view"]
    assert view["type"] == "home"
    assert "the ten items" in json.dumps(view)


def test_429_is_retried_after_retry_after_and_the_answer_arrives(
    scenario: SlackScenario, slack_emulator: SlackEmulator
) -> None:
    slack_emulator.fail("chat.postMessage", Fault(status=429, retry_after=1))
    scenario.event("app_mention")
    first, second = slack_emulator.wait_for("chat.postMessage", 2, timeout=15)
    assert second.at - first.at >= 1.0
    slack_emulator.settle()
    assert len(slack_emulator.calls_to("chat.postMessage")) == 2


def test_server_errors_are_retried(scenario: SlackScenario, slack_emulator: SlackEmulator) -> None:
    slack_emulator.fail("chat.postMessage", Fault(status=500), times=2)
    scenario.event("message_im")
    calls = slack_emulator.wait_for("chat.postMessage", 3, timeout=15)
    assert calls[-1].params["channel"] == "D0ALICE"


def test_hostile_question_is_echoed_inert(scenario: SlackScenario) -> None:
    scenario.event("message_im", text="<!channel> <@U0BOSS> how do I bake bread? <https://evil.example|click>")
    (call,) = scenario.emulator.wait_for("chat.postMessage")
    text = posted_text(call.params)
    assert "<!channel>" not in text
    assert "<@U0BOSS>" not in text
    assert "<https://evil" not in text
    assert "bake bread" in text


def test_oversized_question_is_cut_with_a_note(scenario: SlackScenario) -> None:
    scenario.event("message_im", text="What is PDCA? " + "blah " * 8000)
    (call,) = scenario.emulator.wait_for("chat.postMessage")
    assert "longer than 500 characters" in posted_text(call.params)
    for block in call.params["blocks"]:
        for text in [block.get("text", {}).get("text", "")] + [e.get("text", "") for e in block.get("elements", [])]:
            assert len(str(text)) <= 3000


def test_healthz_reports_the_database(scenario: SlackScenario) -> None:
    response = scenario.client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_the_ack_does_not_wait_for_the_answer(scenario: SlackScenario, slack_emulator: SlackEmulator) -> None:
    slack_emulator.fail("chat.postMessage", Fault(delay=1.5, status=200))  # Slack is slow to take the answer
    response = scenario.event("app_mention")
    assert response.status_code == 200
    assert slack_emulator.calls_to("chat.postMessage") == []  # acked while the answer is still on its way
    (call,) = slack_emulator.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1764140000.000100"
