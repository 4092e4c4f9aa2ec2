"""People as Slack knows them: timezone, language, admin flags (users.info, cached) and DM channels."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.services import Clock, utc_now
from storage import Database
from storage.models import SlackUser
from storage.repositories import Users

logger = logging.getLogger(__name__)
CACHE_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class Person:
    user_id: str
    tz: ZoneInfo | None  # None: unknown, use the org's
    lang: str  # "ja" when Slack's locale is Japanese, else "en"
    is_admin: bool = False
    is_owner: bool = False
    found: bool = True


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _person(row: SlackUser) -> Person:
    lang = "ja" if (row.locale or "").lower().startswith("ja") else "en"
    return Person(row.user_id, _zone(row.tz), lang, row.is_admin, row.is_owner)


class Directory:
    def __init__(self, db: Database, client: WebClient, clock: Clock = utc_now) -> None:
        self.db = db
        self.client = client
        self.clock = clock

    def people(self, user_ids: list[str]) -> dict[str, Person]:
        """Everyone asked for; fresh from cache, else from users.info. Unknown people get defaults."""
        now = self.clock()
        with self.db.session() as session:
            cached = Users(session).many(user_ids)
        result = {uid: _person(row) for uid, row in cached.items() if now - row.fetched_at < CACHE_FOR}
        for user_id in user_ids:
            if user_id not in result:
                result[user_id] = self._fetch(user_id, cached.get(user_id))
        return result

    def person(self, user_id: str) -> Person:
        return self.people([user_id])[user_id]

    def _fetch(self, user_id: str, stale: SlackUser | None) -> Person:
        try:
            user = self.client.users_info(user=user_id)["user"]
        except (SlackApiError, SlackClientError) as error:
            logger.warning("users.info failed for %s: %s", user_id, error.__class__.__name__)
            return _person(stale) if stale else Person(user_id, None, "en", found=False)
        with self.db.session() as session:
            Users(session).save(
                user_id,
                tz=user.get("tz"),
                locale=user.get("locale"),
                is_admin=bool(user.get("is_admin")),
                is_owner=bool(user.get("is_owner") or user.get("is_primary_owner")),
                at=self.clock(),
                name=(user.get("profile") or {}).get("display_name") or user.get("real_name") or user.get("name"),
            )
            row = Users(session).get(user_id)
            assert row is not None
            return _person(row)

    def dm_channel(self, user_id: str) -> str:
        with self.db.session() as session:
            row = Users(session).get(user_id)
            if row is not None and row.dm_channel:
                return row.dm_channel
        channel = str(self.client.conversations_open(users=user_id)["channel"]["id"])
        with self.db.session() as session:
            Users(session).set_dm_channel(user_id, channel, self.clock())
        return channel
