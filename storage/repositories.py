"""Repositories: the only place that writes SQL for the rest of the app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    AnswerFeedback,
    CheckinAnswer,
    CheckinEvent,
    Delivery,
    ItemOwner,
    LeadershipChannel,
    OrgAdmin,
    OrgSettings,
    ProcessedEvent,
    QuestionLog,
    SlackUser,
)

MAX_STORED_QUESTION = 4000  # characters kept of a question; longer ones are cut before storing


@dataclass(frozen=True)
class AskedQuestion:
    text: str
    lang: str
    answered: bool
    entry_id: str | None
    score: float
    source: str
    user_id: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True)
class QuestionCount:
    text: str
    count: int
    last_asked: datetime


class Questions:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, asked: AskedQuestion, at: datetime) -> int:
        row = QuestionLog(
            asked_at=at,
            text=asked.text.replace("\x00", "")[:MAX_STORED_QUESTION],
            lang=asked.lang,
            answered=asked.answered,
            entry_id=asked.entry_id,
            score=asked.score,
            source=asked.source,
            user_id=asked.user_id,
            channel_id=asked.channel_id,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, question_id: int) -> QuestionLog | None:
        return self.session.get(QuestionLog, question_id)

    def unanswered(self, since: datetime, limit: int = 20, until: datetime | None = None) -> list[QuestionCount]:
        """Questions the engine refused since `since`, most often asked first (for curators)."""
        key = func.lower(QuestionLog.text)
        window = [QuestionLog.asked_at >= since] + ([QuestionLog.asked_at < until] if until else [])
        rows = self.session.execute(
            select(func.min(QuestionLog.text), func.count(), func.max(QuestionLog.asked_at))
            .where(QuestionLog.answered.is_(False), *window)
            .group_by(key)
            .order_by(func.count().desc(), func.max(QuestionLog.asked_at).desc())
            .limit(limit)
        ).all()
        return [QuestionCount(text, count, last) for text, count, last in rows]

    def most_asked(self, since: datetime, until: datetime, limit: int = 5) -> list[tuple[str, int]]:
        """Entries answered most often in [since, until)."""
        rows = self.session.execute(
            select(QuestionLog.entry_id, func.count())
            .where(
                QuestionLog.answered.is_(True),
                QuestionLog.asked_at >= since,
                QuestionLog.asked_at < until,
            )
            .group_by(QuestionLog.entry_id)
            .order_by(func.count().desc(), QuestionLog.entry_id)
            .limit(limit)
        ).all()
        return [(str(entry_id), count) for entry_id, count in rows]

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(QuestionLog)) or 0)


class Feedback:
    def __init__(self, session: Session) -> None:
        self.session = session

    def vote(self, question_id: int, user_id: str, *, helpful: bool, at: datetime) -> None:
        """Record a 👍/👎; a second click by the same person replaces their first."""
        existing = self.session.scalar(
            select(AnswerFeedback).where(AnswerFeedback.question_id == question_id, AnswerFeedback.user_id == user_id)
        )
        if existing is None:
            try:
                with self.session.begin_nested():
                    self.session.add(
                        AnswerFeedback(question_id=question_id, user_id=user_id, helpful=helpful, created_at=at)
                    )
            except IntegrityError:  # a concurrent click inserted first; update that row instead
                existing = self.session.scalar(
                    select(AnswerFeedback).where(
                        AnswerFeedback.question_id == question_id, AnswerFeedback.user_id == user_id
                    )
                )
            else:
                return
        if existing is not None:
            existing.helpful = helpful
            existing.created_at = at

    def tally(self, question_id: int) -> tuple[int, int]:
        rows = self.session.execute(
            select(AnswerFeedback.helpful, func.count())
            .where(AnswerFeedback.question_id == question_id)
            .group_by(AnswerFeedback.helpful)
        ).all()
        counts = {bool(helpful): count for helpful, count in rows}
        return counts.get(True, 0), counts.get(False, 0)


class Events:
    """Claims on Slack event ids. The primary key makes a claim exclusive across processes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, event_id: str, at: datetime) -> bool:
        """True the first time an event id is claimed, False for every retry or duplicate."""
        try:
            with self.session.begin_nested():
                self.session.add(ProcessedEvent(event_id=event_id[:64], received_at=at))
        except IntegrityError:
            return False
        return True

    def forget_before(self, cutoff: datetime) -> int:
        """Drop claims older than Slack's retry window; returns how many went."""
        result = self.session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class OrgData:
    """The organisation as stored: plain values (bot.org converts to and from its OrgConfig)."""

    guideline: str
    timezone: str
    language: str
    checkin_weekday: int
    checkin_time: str
    reminder_after_hours: int
    deadline_hours: int
    digest_weekday: int
    digest_time: str
    admins: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    owners: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


class Org:
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self) -> OrgData | None:
        row = self.session.get(OrgSettings, 1)
        if row is None:
            return None
        owners: dict[int, list[str]] = {}
        for owner in self.session.scalars(select(ItemOwner).order_by(ItemOwner.item, ItemOwner.user_id)):
            owners.setdefault(owner.item, []).append(owner.user_id)
        return OrgData(
            guideline=row.guideline,
            timezone=row.timezone,
            language=row.language,
            checkin_weekday=row.checkin_weekday,
            checkin_time=row.checkin_time,
            reminder_after_hours=row.reminder_after_hours,
            deadline_hours=row.deadline_hours,
            digest_weekday=row.digest_weekday,
            digest_time=row.digest_time,
            admins=tuple(self.session.scalars(select(OrgAdmin.user_id).order_by(OrgAdmin.user_id))),
            channels=tuple(
                self.session.scalars(select(LeadershipChannel.channel_id).order_by(LeadershipChannel.channel_id))
            ),
            owners={item: tuple(users) for item, users in owners.items()},
        )

    def replace(self, org: OrgData, at: datetime) -> None:
        """Make the stored org exactly `org` (inside the caller's transaction: all or nothing)."""
        for model in (ItemOwner, OrgAdmin, LeadershipChannel):
            self.session.execute(delete(model))
        row = self.session.get(OrgSettings, 1) or OrgSettings(id=1)
        row.guideline, row.timezone, row.language = org.guideline, org.timezone, org.language
        row.checkin_weekday, row.checkin_time = org.checkin_weekday, org.checkin_time
        row.reminder_after_hours, row.deadline_hours = org.reminder_after_hours, org.deadline_hours
        row.digest_weekday, row.digest_time = org.digest_weekday, org.digest_time
        row.updated_at = at
        self.session.add(row)
        self.session.add_all(OrgAdmin(user_id=user) for user in org.admins)
        self.session.add_all(LeadershipChannel(channel_id=channel) for channel in org.channels)
        self.session.add_all(ItemOwner(item=item, user_id=user) for item, users in org.owners.items() for user in users)
        self.session.flush()


class Users:
    """A cache of users.info answers, and each person's DM channel with the bot."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, user_id: str) -> SlackUser | None:
        return self.session.get(SlackUser, user_id)

    def many(self, user_ids: list[str]) -> dict[str, SlackUser]:
        if not user_ids:
            return {}
        return {
            row.user_id: row for row in self.session.scalars(select(SlackUser).where(SlackUser.user_id.in_(user_ids)))
        }

    def _row(self, user_id: str, at: datetime) -> SlackUser:
        """The user's row, created if missing; another process creating it at the same moment is fine."""
        row = self.session.get(SlackUser, user_id)
        if row is not None:
            return row
        try:
            with self.session.begin_nested():
                row = SlackUser(user_id=user_id, is_admin=False, is_owner=False, fetched_at=at - timedelta(days=365))
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            row = self.session.get(SlackUser, user_id, populate_existing=True)
            assert row is not None
        return row

    def save(
        self,
        user_id: str,
        *,
        tz: str | None,
        locale: str | None,
        is_admin: bool,
        is_owner: bool,
        at: datetime,
        name: str | None = None,
    ) -> None:
        row = self._row(user_id, at)
        row.tz, row.locale, row.is_admin, row.is_owner, row.fetched_at = tz, locale, is_admin, is_owner, at
        row.name = name[:120] if name else None

    def names(self, user_ids: list[str]) -> dict[str, str]:
        return {uid: row.name for uid, row in self.many(user_ids).items() if row.name}

    def set_dm_channel(self, user_id: str, channel: str, at: datetime) -> None:
        self._row(user_id, at).dm_channel = channel


@dataclass(frozen=True)
class DeliveryKey:
    owner_id: str  # a user for check-ins, a channel for digests
    item: int
    period: str
    kind: str


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: str
    recovering: bool  # taken over from a dead process or a failed try: check whether the send happened


class Deliveries:
    """Exactly-once sends. A claim is a row with a UNIQUE key, committed before Slack is called."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(
        self,
        key: DeliveryKey,
        token: str,
        now: datetime,
        *,
        lease: timedelta,
        due_at: datetime,
        deadline_at: datetime | None = None,
        remind_at: datetime | None = None,
        checks: str = "",
        lang: str = "en",
        late: bool = False,
    ) -> Claim | None:
        """Claim `key` for this process, or None when it was sent or another live process holds it."""
        try:
            with self.session.begin_nested():
                row = Delivery(
                    owner_id=key.owner_id,
                    item=key.item,
                    period=key.period,
                    kind=key.kind,
                    state="claimed",
                    checks=checks,
                    due_at=due_at,
                    deadline_at=deadline_at,
                    remind_at=remind_at,
                    claimed_at=now,
                    claim_token=token,
                    attempts=1,
                    lang=lang,
                    skipped=False,
                    late=late,
                )
                self.session.add(row)
                self.session.flush()
        except IntegrityError:
            return self._take_over(key, token, now, lease)
        return Claim(row.id, token, recovering=False)

    def _take_over(self, key: DeliveryKey, token: str, now: datetime, lease: timedelta) -> Claim | None:
        row = self.find(key)
        if row is None or row.state == "sent":
            return None
        if row.state == "claimed" and now - row.claimed_at < lease:
            return None  # another process is sending it right now
        # Compare-and-set on the old token: of several processes taking over, exactly one wins.
        result = self.session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.claim_token == row.claim_token, Delivery.state == row.state)
            .values(state="claimed", claim_token=token, claimed_at=now, attempts=Delivery.attempts + 1)
        )
        if getattr(result, "rowcount", 0) != 1:
            return None
        # A stale claim (a process died) and a pending row (Slack failed, maybe after receiving the
        # message: a timeout doesn't say) both may have been delivered: look before sending again.
        return Claim(row.id, token, recovering=True)

    def find(self, key: DeliveryKey) -> Delivery | None:
        return self.session.scalar(
            select(Delivery).where(
                Delivery.owner_id == key.owner_id,
                Delivery.item == key.item,
                Delivery.period == key.period,
                Delivery.kind == key.kind,
            )
        )

    def get(self, delivery_id: int) -> Delivery | None:
        return self.session.get(Delivery, delivery_id)

    def mark_sent(self, claim: Claim, channel: str, ts: str, at: datetime) -> bool:
        result = self.session.execute(
            update(Delivery)
            .where(Delivery.id == claim.delivery_id, Delivery.claim_token == claim.token)
            .values(state="sent", channel=channel, ts=ts, sent_at=at, last_error=None)
        )
        return getattr(result, "rowcount", 0) == 1

    def mark_pending(self, claim: Claim, error: str) -> bool:
        result = self.session.execute(
            update(Delivery)
            .where(Delivery.id == claim.delivery_id, Delivery.claim_token == claim.token)
            .values(state="pending", last_error=error[:200])
        )
        return getattr(result, "rowcount", 0) == 1

    def for_period(self, period: str, kinds: tuple[str, ...] = ("prompt", "reminder", "snooze")) -> list[Delivery]:
        return list(self.session.scalars(select(Delivery).where(Delivery.period == period, Delivery.kind.in_(kinds))))

    def open_prompts(self, owner_id: str, now: datetime) -> list[Delivery]:
        return list(
            self.session.scalars(
                select(Delivery)
                .where(
                    Delivery.owner_id == owner_id,
                    Delivery.kind == "prompt",
                    Delivery.state == "sent",
                    Delivery.due_at <= now,
                    Delivery.deadline_at > now,
                )
                .order_by(Delivery.item)
            )
        )


class Answers:
    """Check-in answers: the current value per (prompt, check), and every change in checkin_events."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_delivery(self, delivery_id: int) -> dict[str, CheckinAnswer]:
        rows = self.session.scalars(select(CheckinAnswer).where(CheckinAnswer.delivery_id == delivery_id))
        return {row.check_ref: row for row in rows}

    def for_deliveries(self, delivery_ids: list[int]) -> dict[int, dict[str, CheckinAnswer]]:
        result: dict[int, dict[str, CheckinAnswer]] = {}
        if delivery_ids:
            for row in self.session.scalars(select(CheckinAnswer).where(CheckinAnswer.delivery_id.in_(delivery_ids))):
                result.setdefault(row.delivery_id, {})[row.check_ref] = row
        return result

    def record(self, delivery: Delivery, check_ref: str, user_id: str, at: datetime, **values: object) -> list[str]:
        """Set status / maturity / note; returns the fields that actually changed (each logged)."""
        row = self.session.scalar(
            select(CheckinAnswer).where(CheckinAnswer.delivery_id == delivery.id, CheckinAnswer.check_ref == check_ref)
        )
        if row is None:
            row = CheckinAnswer(
                delivery_id=delivery.id,
                owner_id=delivery.owner_id,
                item=delivery.item,
                check_ref=check_ref,
                period=delivery.period,
                answered_at=at,
                answered_by=user_id,
            )
            self.session.add(row)
        changed = []
        for name, value in values.items():
            old = getattr(row, name)
            if old != value:
                setattr(row, name, value)
                changed.append(name)
                self.log(delivery.id, check_ref, name, old, value, user_id, at)
        if changed:
            row.answered_at, row.answered_by = at, user_id
        self.session.flush()
        return changed

    def log(  # noqa: PLR0917 - one history row's columns
        self, delivery_id: int, check_ref: str, name: str, old: object, new: object, user_id: str, at: datetime
    ) -> None:
        self.session.add(
            CheckinEvent(
                delivery_id=delivery_id,
                check_ref=check_ref,
                field=name,
                old_value=None if old is None else str(old),
                new_value=None if new is None else str(new),
                user_id=user_id,
                at=at,
            )
        )

    def history(self, delivery_id: int) -> list[CheckinEvent]:
        return list(
            self.session.scalars(
                select(CheckinEvent).where(CheckinEvent.delivery_id == delivery_id).order_by(CheckinEvent.id)
            )
        )


@dataclass(frozen=True)
class MaturityRow:
    check_ref: str
    item: int
    maturity: int
    answered_at: datetime


@dataclass(frozen=True)
class NoteRow:
    owner_id: str
    item: int
    note: str
    answered_at: datetime


STATUS_SEVERITY = {"blocked": 3, "at_risk": 2, "on_track": 1, "done": 0}


class ReadinessQueries:
    """The digest's reads. Each is one statement whose cost doesn't grow with owners or weeks: index
    seeks per check or per item (40 or 10), or a scan of one period's rows."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_maturities(self, check_refs: list[str], cutoff: datetime) -> list[MaturityRow]:
        """Each check's most recent maturity answered before `cutoff`."""
        if not check_refs:
            return []
        a = CheckinAnswer
        parts = [
            select(
                select(a.check_ref, a.item, a.maturity, a.answered_at)
                .where(a.check_ref == ref, a.maturity.is_not(None), a.answered_at < cutoff)
                .order_by(a.answered_at.desc(), a.id.desc())
                .limit(1)
                .subquery()
            )
            for ref in check_refs
        ]
        rows = self.session.execute(union_all(*parts)).all()
        return [MaturityRow(ref, item, maturity, at) for ref, item, maturity, at in rows]

    def last_updates(self, items: list[int], cutoff: datetime) -> dict[int, datetime]:
        a = CheckinAnswer
        parts = [
            select(literal(item).label("item"), func.max(a.answered_at).label("at")).where(
                a.item == item, a.answered_at < cutoff
            )
            for item in items
        ]
        if not parts:
            return {}
        return {int(item): at for item, at in self.session.execute(union_all(*parts)).all() if at is not None}

    def worst_statuses(self, period: str) -> dict[int, str]:
        """The worst status anyone gave each item in `period` (blocked > at risk > on track > done)."""
        a = CheckinAnswer
        severity = case(dict(STATUS_SEVERITY), value=a.status)
        rows = self.session.execute(
            select(a.item, func.max(severity)).where(a.period == period, a.status.is_not(None)).group_by(a.item)
        ).all()
        by_rank = {rank: name for name, rank in STATUS_SEVERITY.items()}
        return {int(item): by_rank[int(rank)] for item, rank in rows if rank is not None}

    def notes(self, period: str, items: list[int]) -> list[NoteRow]:
        if not items:
            return []
        a = CheckinAnswer
        rows = self.session.execute(
            select(a.owner_id, a.item, a.note, a.answered_at)
            .where(a.period == period, a.check_ref == "", a.note.is_not(None), a.item.in_(items))
            .order_by(a.item, a.answered_at)
        ).all()
        return [NoteRow(owner, item, note or "", at) for owner, item, note, at in rows]

    def silent(self, period: str) -> list[tuple[str, int]]:
        """(owner, item) of prompts sent in `period` that got no answer at all and weren't skipped."""
        d, a = Delivery, CheckinAnswer
        answered = select(a.id).where(a.delivery_id == d.id).exists()
        rows = self.session.execute(
            select(d.owner_id, d.item)
            .where(d.period == period, d.kind == "prompt", d.state == "sent", d.skipped.is_(False), ~answered)
            .order_by(d.owner_id, d.item)
        ).all()
        return [(owner, int(item)) for owner, item in rows]
