"""Check-in prompts: status buttons, the maturity select, the note modal, snooze, skip, change;
and `/shishin checkin` (my open check-ins)."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message, rich_message, text_message
from bot.checkin_blocks import (
    ACTION_IDS,
    CHANGE_ACTION,
    MATURITY_ACTION,
    NOTE_ACTION,
    NOTE_INPUT_ACTION,
    NOTE_INPUT_BLOCK,
    NOTE_MODAL,
    SKIP_ACTION,
    SNOOZE_ACTION,
    STATUS_ACTION,
    UNSKIP_ACTION,
    note_modal,
    prompt_message,
    snoozed_message,
    when,
)
from bot.checkins import NOTE_LIMIT, CheckinClosedError, CheckinError, PromptState
from bot.container import Services

ACTIONS = ACTION_IDS
VIEWS = (NOTE_MODAL,)


def _ids(value: str) -> tuple[int, str, str]:
    delivery, _, rest = value.partition("|")
    check, _, extra = rest.partition("|")
    if not delivery.isdigit():
        raise CheckinError("That button doesn't belong to a check-in I know.")
    return int(delivery), check, extra


def owner_tz(services: Services, user_id: str) -> ZoneInfo:
    person = services.directory.person(user_id) if services.directory else None
    if person is not None and person.tz is not None:
        return person.tz
    return services.orgs.load_or_default().tz


def render(services: Services, state: PromptState) -> Message:
    return prompt_message(state, services.kb.maturity, owner_tz(services, state.owner_id))


def open_checkins_message(services: Services, user_id: str) -> Message:
    prompts = services.checkins.open_prompts(user_id)
    if not prompts:
        return text_message("You have no open check-ins right now. Owners of the ten items get one by DM each week.")
    tz = owner_tz(services, user_id)
    lines = ["*Your open check-ins* (answer them in your DM with me):"]
    for state in prompts:
        done = sum(check.answered for check in state.checks)
        lines.append(
            f"• Direction {state.item.number}: {state.item.title.en} — {done}/{len(state.checks)} checks answered,"
            f" closes {when(state.deadline_at, tz, 'en')}"
        )
    return rich_message("\n".join(lines))


class CheckinActions:
    """The listeners, as methods over the services (Bolt passes what each one names)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.checkins = services.checkins

    def update(self, client: WebClient, body: dict[str, Any], state: PromptState) -> None:
        channel = (body.get("channel") or {}).get("id") or state.channel
        ts = (body.get("message") or {}).get("ts") or state.ts
        if channel and ts:
            client.chat_update(channel=channel, ts=ts, **render(self.services, state).as_kwargs())

    def guarded(self, work: Any) -> Any:
        """Run a click's work; a CheckinError becomes a private reply, and a closed prompt is redrawn."""

        def run(body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
            try:
                work(body, action, client, respond)
            except CheckinClosedError as error:
                delivery_id, _, _ = _ids(action.get("value") or action.get("selected_option", {}).get("value", ""))
                self.update(client, body, self.checkins.state(delivery_id))
                respond(response_type="ephemeral", replace_original=False, text=str(error))
            except CheckinError as error:
                respond(response_type="ephemeral", replace_original=False, text=str(error))

        run.__name__ = f"run_{work.__name__}"  # Bolt tells lazy functions apart by name
        return run

    def _own(self, body: dict[str, Any], delivery_id: int, editing: frozenset[str] = frozenset()) -> PromptState:
        state = self.checkins.state(delivery_id, editing=editing)
        if state.owner_id != body["user"]["id"]:
            raise CheckinError(f"This check-in belongs to <@{state.owner_id}>; only they can answer it.")
        if state.closed:
            raise CheckinClosedError(state.deadline_at)
        return state

    def status(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, _respond: Respond) -> None:
        delivery_id, check, _ = _ids(action["value"])
        value = action["action_id"].removeprefix(STATUS_ACTION)
        self.update(client, body, self.checkins.answer(delivery_id, body["user"]["id"], check, status=value))

    def maturity(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, _respond: Respond) -> None:
        delivery_id, check, level = _ids(action["selected_option"]["value"])
        if not level.isdigit():
            raise CheckinError("Maturity is a level from 0 to 5.")
        self.update(client, body, self.checkins.answer(delivery_id, body["user"]["id"], check, maturity=int(level)))

    def change(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, _respond: Respond) -> None:
        delivery_id, check, _ = _ids(action["value"])
        self.update(client, body, self._own(body, delivery_id, frozenset({check})))

    def open_note(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, _respond: Respond) -> None:
        delivery_id, _, _ = _ids(action["value"])
        client.views_open(trigger_id=body["trigger_id"], view=note_modal(self._own(body, delivery_id)))

    def snooze(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        delivery_id, _, _ = _ids(action["value"])
        state = self.checkins.snooze(delivery_id, body["user"]["id"])
        self.update(client, body, state)
        respond(response_type="ephemeral", replace_original=False, **snoozed_message(state).as_kwargs())

    def skip(self, body: dict[str, Any], action: dict[str, Any], client: WebClient, _respond: Respond) -> None:
        delivery_id, _, _ = _ids(action["value"])
        skipped = action["action_id"] == SKIP_ACTION
        self.update(client, body, self.checkins.skip(delivery_id, body["user"]["id"], skipped=skipped))

    @staticmethod
    def check_note(ack: Ack, view: dict[str, Any]) -> None:
        """Runs before the modal closes: an over-long note keeps it open with the reason."""
        if len(_note_text(view)) > NOTE_LIMIT:
            ack(response_action="errors", errors={NOTE_INPUT_BLOCK: f"Keep it under {NOTE_LIMIT:,} characters."})
            return
        ack()

    def save_note(self, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        text = _note_text(view)
        if len(text) > NOTE_LIMIT or not str(view.get("private_metadata", "")).isdigit():
            return
        user = body["user"]["id"]
        try:
            state = self.checkins.note(int(view["private_metadata"]), user, text)
        except CheckinError as error:
            client.chat_postEphemeral(channel=user, user=user, text=str(error))
            return
        self.update(client, {}, state)


def register(app: App, services: Services) -> None:
    actions = CheckinActions(services)

    def ack_now(ack: Ack) -> None:
        ack()

    for action_id, work in (
        (re.compile(rf"^{STATUS_ACTION}\w+$"), actions.status),
        (MATURITY_ACTION, actions.maturity),
        (CHANGE_ACTION, actions.change),
        (NOTE_ACTION, actions.open_note),
        (SNOOZE_ACTION, actions.snooze),
        (SKIP_ACTION, actions.skip),
        (UNSKIP_ACTION, actions.skip),
    ):
        app.action(action_id)(ack=ack_now, lazy=[actions.guarded(work)])
    app.view(NOTE_MODAL)(ack=actions.check_note, lazy=[actions.save_note])


def _note_text(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    return str(values.get(NOTE_INPUT_BLOCK, {}).get(NOTE_INPUT_ACTION, {}).get("value") or "")
