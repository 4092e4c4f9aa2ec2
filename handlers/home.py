"""The Home tab, published when someone opens it: Shishin, how to ask, my items, the ten items."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks import home_view
from bot.checkin_blocks import STATUS_LABELS, when
from bot.checkins import last_answers
from bot.container import Services
from bot.digest import status_text
from bot.slack_text import escape

EVENTS = ("app_home_opened",)


def my_items(services: Services, user_id: str) -> list[str]:
    """One line per item the person owns: an open check-in, else their last answer. Never others' notes."""
    org = services.orgs.load()
    if org is None or not org.items_of(user_id):
        return []
    framework = services.kb.frameworks[org.guideline]
    open_prompts = {state.item.number: state for state in services.checkins.open_prompts(user_id)}
    latest = last_answers(services.database, user_id)
    tz = org.tz
    lines = []
    for number in org.items_of(user_id):
        title = escape(framework.item(number).title.en)
        if number in open_prompts:
            state = open_prompts[number]
            done = sum(check.answered for check in state.checks)
            lines.append(
                f"• *{number}. {title}* — check-in open: {done}/{len(state.checks)} answered,"
                f" closes {when(state.deadline_at, tz, 'en')}"
            )
        elif number in latest:
            last = latest[number]
            status = STATUS_LABELS["en"].get(last.status or "", "–")
            maturity = "–" if last.maturity is None else str(last.maturity)
            lines.append(f"• *{number}. {title}* — last answer ({last.period}): {status}, maturity {maturity}")
        else:
            lines.append(f"• *{number}. {title}* — no answers yet; your first check-in comes with the next round")
    return lines


def readiness_lines(services: Services) -> list[str]:
    """The org's readiness for the Home tab: scores only (notes stay in leadership channels)."""
    org = services.orgs.load()
    if org is None:
        return []
    return status_text(services.digests.current(org), services.kb).splitlines()


def register(app: App, services: Services) -> None:
    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        view = home_view(services.kb, my_items(services, user), readiness_lines(services))
        client.views_publish(user_id=user, view=view)

    app.event("app_home_opened")(publish)  # acknowledged by Bolt before this runs
