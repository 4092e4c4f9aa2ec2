"""Check-ins end to end: org import, ticks, DMs in the emulator, clicks on the posted buttons."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from bot.scheduler import LEASE
from storage import Database
from storage.models import CheckinEvent, Delivery
from storage.repositories import Deliveries, DeliveryKey
from tests.conftest import CHECKIN_TOKYO, World
from tests.slack_emulator import Fault
from tests.slack_requests import FORM, payload


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks"), ensure_ascii=False)


def latest(world: World, user: str) -> dict[str, Any]:
    return world.dms(user)[-1]


def click(world: World, message: dict[str, Any], action_id: str, user: str, option: int | None = None) -> None:
    """Click a button (or pick a maturity option) in a DM the app posted, as Slack would send it."""
    channel = "D" + user[1:]
    if option is None:
        world.scenario.click(message, action_id, channel=channel, user=user)
        return
    for block in message["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == action_id:
                body = payload("block_actions")
                body["user"] |= {"id": user}
                body["container"] = {"type": "message", "message_ts": message["ts"], "channel_id": channel}
                body["channel"] = {"id": channel, "name": "directmessage"}
                body["message"] = {"type": "message", "ts": message["ts"], "blocks": message["blocks"]}
                body["response_url"] = world.emulator.response_url("select")
                body["actions"] = [
                    {
                        "action_id": action_id,
                        "block_id": block["block_id"],
                        "type": "static_select",
                        "selected_option": element["options"][option],
                        "action_ts": "1",
                    }
                ]
                world.scenario.post(urlencode({"payload": json.dumps(body)}).encode(), FORM)
                return
    raise AssertionError(f"no {action_id} in the message")


def submit_note(world: World, user: str, text: str) -> int:
    view = world.emulator.wait_for("views.open")[-1].params["view"]
    body = {
        "type": "view_submission",
        "team": {"id": "T0EMULATED", "domain": "emulated"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0EMULATED"},
        "api_app_id": "A0SHISHIN",
        "token": "legacy-verification-token-unused",
        "trigger_id": "1.2.3",
        "view": view
        | {"id": "V0NOTE", "state": {"values": {"note": {"note_text": {"type": "plain_text_input", "value": text}}}}},
        "response_urls": [],
    }
    return world.scenario.post(urlencode({"payload": json.dumps(body)}).encode(), FORM).status_code


def rows(db_url: str, model: type) -> list[Any]:
    database = Database(db_url)
    try:
        with database.session() as session:
            return list(session.scalars(select(model)))
    finally:
        database.dispose()


def test_each_owner_gets_exactly_their_prompts_once(world: World) -> None:
    report = world.tick(CHECKIN_TOKYO)
    assert report.counts["prompts sent"] == 2  # Tokyo owns items 1 and 5; New York's time hasn't come
    tokyo = world.dms("U0TOKYO")
    assert sorted(m["metadata"]["event_payload"]["delivery_id"] for m in tokyo) == [1, 2]
    assert any("指示1" in m["text"] for m in tokyo)  # Japanese locale -> Japanese prompt
    assert world.dms("U0NEWYORK") == []
    ny_time = CHECKIN_TOKYO.replace(hour=0) + timedelta(hours=24)  # Tue 10:00 New York = Wed 00:00 Tokyo
    world.tick(ny_time)
    texts = sorted(m["text"] for m in world.dms("U0NEWYORK"))  # English locale -> English prompts
    assert [t.split(":")[0] for t in texts] == ["Weekly check-in for Direction 5", "Weekly check-in for Direction 7"]
    second = world.tick(ny_time + timedelta(minutes=1))
    assert second.counts["prompts sent"] == 0
    assert len(world.emulator.calls_to("chat.postMessage")) == 4


def test_answering_records_updates_in_place_and_keeps_history(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    prompt = next(m for m in world.dms("U0TOKYO") if "指示5" in m["text"])
    click(world, prompt, "checkin_status_at_risk", "U0TOKYO")
    (update,) = world.emulator.wait_for("chat.update")
    assert update.params["ts"] == prompt["ts"]
    assert "記録済み：🟡 懸念あり" in blocks_text(update.params)
    refreshed = next(m for m in world.dms("U0TOKYO") if m["ts"] == prompt["ts"])
    click(world, refreshed, "checkin_maturity", "U0TOKYO", option=2)
    world.emulator.wait_for("chat.update", 2)
    refreshed = next(m for m in world.dms("U0TOKYO") if m["ts"] == prompt["ts"])
    assert "成熟度 2" in blocks_text(refreshed)
    click(world, refreshed, "checkin_change", "U0TOKYO")  # change of mind: reopen the first check
    world.emulator.wait_for("chat.update", 3)
    refreshed = next(m for m in world.dms("U0TOKYO") if m["ts"] == prompt["ts"])
    click(world, refreshed, "checkin_status_on_track", "U0TOKYO")
    world.emulator.wait_for("chat.update", 4)
    click(world, refreshed, "checkin_note", "U0TOKYO")
    assert submit_note(world, "U0TOKYO", "<!channel> vendor audit slipped to Q1") == 200
    world.emulator.wait_for("chat.update", 5)
    refreshed = next(m for m in world.dms("U0TOKYO") if m["ts"] == prompt["ts"])
    assert "&lt;!channel&gt; vendor audit" in blocks_text(refreshed)
    history = [(e.field, e.old_value, e.new_value, e.user_id) for e in rows(world.db_url, CheckinEvent)]
    assert ("status", None, "at_risk", "U0TOKYO") in history
    assert ("status", "at_risk", "on_track", "U0TOKYO") in history
    assert ("maturity", None, "2", "U0TOKYO") in history
    assert any(field == "note" for field, *_ in history)


def test_reminder_tick_reminds_only_the_silent(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    item1 = next(m for m in world.dms("U0TOKYO") if "指示1" in m["text"])
    click(world, item1, "checkin_status_done", "U0TOKYO")
    world.emulator.wait_for("chat.update")
    report = world.tick(CHECKIN_TOKYO + timedelta(hours=24))
    assert report.counts["reminders sent"] == 1
    reminder = latest(world, "U0TOKYO")
    assert "指示5" in reminder["text"]
    assert "リマインダー" in reminder["text"]
    assert world.tick(CHECKIN_TOKYO + timedelta(hours=25)).counts["reminders sent"] == 0


def test_clicks_after_the_deadline_say_it_closed(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    prompt = world.dms("U0TOKYO")[0]
    world.clock.set(CHECKIN_TOKYO + timedelta(hours=72))
    click(world, prompt, "checkin_status_on_track", "U0TOKYO")
    ((_, reply),) = world.emulator.wait_for_responses(1)
    assert "closed" in reply["text"]
    (update,) = world.emulator.wait_for("chat.update")
    assert "締め切りました" in blocks_text(update.params)
    assert "checkin_status_on_track" not in blocks_text(update.params)


def test_someone_else_cannot_answer_a_prompt(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    prompt = world.dms("U0TOKYO")[0]
    click(world, prompt, "checkin_status_blocked", "U0INTRUDER")
    ((_, reply),) = world.emulator.wait_for_responses(1)
    assert "belongs to <@U0TOKYO>" in reply["text"]
    assert rows(world.db_url, CheckinEvent) == []


def test_skip_and_snooze(world: World) -> None:
    world.tick(CHECKIN_TOKYO)
    first, second = world.dms("U0TOKYO")
    click(world, first, "checkin_skip", "U0TOKYO")
    world.clock.set(CHECKIN_TOKYO + timedelta(hours=5))
    click(world, second, "checkin_snooze", "U0TOKYO")
    world.emulator.wait_for("chat.update", 2)
    ((_, snoozed),) = world.emulator.wait_for_responses(1)
    assert "明日" in snoozed["text"]
    report = world.tick(CHECKIN_TOKYO + timedelta(hours=24))
    assert report.counts["reminders sent"] == 0  # one skipped; the other snoozed to a day after the click
    assert world.tick(CHECKIN_TOKYO + timedelta(hours=29)).counts["reminders sent"] == 1
    assert "指示" in latest(world, "U0TOKYO")["text"]


def test_slack_failures_leave_prompts_pending_for_the_next_tick(world: World) -> None:
    world.emulator.fail("chat.postMessage", Fault(status=500), times=8)  # more than the retries allow
    report = world.tick(CHECKIN_TOKYO)
    assert report.counts["pending (Slack failed; retried next tick)"] == 2
    assert world.dms("U0TOKYO") == []
    report = world.tick(CHECKIN_TOKYO + timedelta(minutes=1))
    assert report.counts["prompts sent"] == 2
    assert len(world.dms("U0TOKYO")) == 2


def test_a_claim_left_by_a_killed_process_is_recovered_without_a_duplicate(world: World) -> None:
    database = Database(world.db_url)
    period = "2026-W49"
    with database.session() as session:  # killed after claiming, before calling Slack
        Deliveries(session).claim(
            DeliveryKey("U0TOKYO", 1, period, "prompt"),
            "dead-process",
            CHECKIN_TOKYO,
            lease=LEASE,
            due_at=CHECKIN_TOKYO,
            deadline_at=CHECKIN_TOKYO + timedelta(hours=72),
            checks="v3.check.1.1",
        )
    world.tick(CHECKIN_TOKYO + timedelta(minutes=1))
    assert len(world.dms("U0TOKYO")) == 1  # item 5 went out; item 1's claim is still in its lease
    report = world.tick(CHECKIN_TOKYO + LEASE + timedelta(minutes=2))
    assert report.counts["prompts sent"] == 1
    assert len(world.dms("U0TOKYO")) == 2
    # Killed after Slack accepted the post, before the row was marked: found by its metadata, not resent.
    with database.session() as session:
        row = Deliveries(session).find(DeliveryKey("U0TOKYO", 5, period, "prompt"))
        assert row is not None
        row.state, row.claim_token, row.ts = "claimed", "another-dead-process", None
    report = world.tick(CHECKIN_TOKYO + 2 * LEASE + timedelta(minutes=3))
    assert report.counts["recovered (had been sent)"] == 1
    assert len(world.dms("U0TOKYO")) == 2
    with database.session() as session:
        states = {(d.item, d.state) for d in session.scalars(select(Delivery).where(Delivery.owner_id == "U0TOKYO"))}
    assert states == {(1, "sent"), (5, "sent")}
    database.dispose()
