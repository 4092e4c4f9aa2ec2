"""The organisation as stored: import, show, and the live edits behind `/shishin admin`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from pathlib import Path

from bot.directory import Person
from bot.guide import UnknownItemError, parse_item_number
from bot.org import CHANNEL_ID, USER_ID, CheckinSchedule, OrgConfig, Schedule, parse_time, parse_weekday, read_org
from bot.services import Clock, utc_now
from bot.slack_text import escape
from knowledge.yamlio import Problem
from storage import Database
from storage.repositories import Org, OrgData

MAX_DEADLINE_HOURS = 144


class OrgEditError(ValueError):
    """An admin edit that can't be applied; the message says why."""


def to_data(org: OrgConfig) -> OrgData:
    return OrgData(
        guideline=org.guideline,
        timezone=org.timezone,
        language=org.language,
        checkin_weekday=org.checkins.weekday,
        checkin_time=f"{org.checkins.at:%H:%M}",
        reminder_after_hours=org.checkins.reminder_after_hours,
        deadline_hours=org.checkins.deadline_hours,
        digest_weekday=org.digest.weekday,
        digest_time=f"{org.digest.at:%H:%M}",
        admins=org.admins,
        channels=org.leadership_channels,
        owners=dict(org.owners),
    )


def from_data(data: OrgData) -> OrgConfig:
    return OrgConfig(
        guideline=data.guideline,
        timezone=data.timezone,
        language=data.language,
        admins=data.admins,
        leadership_channels=data.channels,
        checkins=CheckinSchedule(
            data.checkin_weekday, time.fromisoformat(data.checkin_time), data.reminder_after_hours, data.deadline_hours
        ),
        digest=Schedule(data.digest_weekday, time.fromisoformat(data.digest_time)),
        owners=dict(data.owners),
    )


def slack_id(text: str, pattern: re.Pattern[str], what: str) -> str:
    """A user or channel id from `<@U123|name>`, `<#C123|name>` or a bare id."""
    match = re.fullmatch(r"<[@#]([A-Z0-9]+)(?:\|[^>]*)?>|([A-Z0-9]+)", text.strip())
    found = (match.group(1) or match.group(2)) if match else ""
    if not pattern.fullmatch(found):
        raise OrgEditError(f"`{escape(text.strip()[:40])}` is not {what}.")
    return found


def item_number(text: str) -> int:
    try:
        return parse_item_number(text)
    except UnknownItemError as error:
        raise OrgEditError(escape(str(error))) from error


class OrgService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def load(self) -> OrgConfig | None:
        with self.db.session() as session:
            data = Org(session).load()
        return from_data(data) if data else None

    def load_or_default(self) -> OrgConfig:
        return self.load() or OrgConfig()

    def save(self, org: OrgConfig) -> None:
        with self.db.session() as session:
            Org(session).replace(to_data(org), self.clock())

    def import_file(self, path: Path) -> tuple[OrgConfig | None, list[Problem]]:
        """Validate, then apply in one transaction; nothing changes when the file has any error."""
        org, problems = read_org(path)
        if org is not None:
            self.save(org)
        return org, problems

    def is_admin(self, user_id: str, person: Person) -> bool:
        """Configured admins when there are any; otherwise the workspace's admins and owners."""
        org = self.load()
        if org is not None and org.admins:
            return user_id in org.admins
        return person.is_admin or person.is_owner

    # --- live edits (each validated, then saved whole) ----------------------------------------------
    def assign(self, item: int, user_id: str) -> OrgConfig:
        org = self.load_or_default()
        owners = dict(org.owners)
        if user_id in owners.get(item, ()):
            raise OrgEditError(f"<@{user_id}> already owns item {item}.")
        owners[item] = (*owners.get(item, ()), user_id)
        return self._save(replace(org, owners=owners))

    def unassign(self, item: int, user_id: str) -> OrgConfig:
        org = self.load_or_default()
        if user_id not in org.owners.get(item, ()):
            raise OrgEditError(f"<@{user_id}> doesn't own item {item}.")
        owners = dict(org.owners)
        owners[item] = tuple(u for u in owners[item] if u != user_id)
        return self._save(replace(org, owners=owners))

    def add_channel(self, channel: str) -> OrgConfig:
        org = self.load_or_default()
        if channel in org.leadership_channels:
            raise OrgEditError(f"<#{channel}> already gets the digest.")
        return self._save(replace(org, leadership_channels=(*org.leadership_channels, channel)))

    def remove_channel(self, channel: str) -> OrgConfig:
        org = self.load_or_default()
        if channel not in org.leadership_channels:
            raise OrgEditError(f"<#{channel}> isn't a leadership channel.")
        return self._save(replace(org, leadership_channels=tuple(c for c in org.leadership_channels if c != channel)))

    def schedule(self, what: str, values: list[str]) -> OrgConfig:
        """`checkins <weekday> <HH:MM>`, `digest <weekday> <HH:MM>`, `reminder <hours>`, `deadline <hours>`."""
        org = self.load_or_default()
        try:
            changed = _rescheduled(org, what, values)
        except OrgEditError:
            raise
        except ValueError as error:  # from parse_weekday / parse_time, which quote what was typed
            raise OrgEditError(escape(str(error))) from error
        return self._save(changed)

    def _save(self, org: OrgConfig) -> OrgConfig:
        self.save(org)
        return org


def _rescheduled(org: OrgConfig, what: str, values: list[str]) -> OrgConfig:
    if what in ("checkins", "checkin") and len(values) == 2:
        return replace(org, checkins=replace(org.checkins, weekday=parse_weekday(values[0]), at=parse_time(values[1])))
    if what == "digest" and len(values) == 2:
        return replace(org, digest=Schedule(parse_weekday(values[0]), parse_time(values[1])))
    if what in ("reminder", "deadline") and len(values) == 1 and values[0].isdigit():
        hours = int(values[0])
        reminder = hours if what == "reminder" else org.checkins.reminder_after_hours
        deadline = hours if what == "deadline" else org.checkins.deadline_hours
        if not 1 <= reminder < deadline <= MAX_DEADLINE_HOURS:
            raise OrgEditError(
                "The reminder must come at least an hour after the prompt and before the deadline, and the "
                f"deadline within {MAX_DEADLINE_HOURS} hours (asked: reminder {reminder} h, deadline {deadline} h)."
            )
        return replace(org, checkins=replace(org.checkins, reminder_after_hours=reminder, deadline_hours=deadline))
    raise OrgEditError(
        "Use `schedule checkins <weekday> <HH:MM>`, `schedule digest <weekday> <HH:MM>`, "
        "`schedule reminder <hours>` or `schedule deadline <hours>`."
    )


__all__ = ["CHANNEL_ID", "USER_ID", "OrgEditError", "OrgService", "item_number", "slack_id"]
