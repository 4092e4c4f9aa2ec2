"""Check-in answers: the service behind the prompt's buttons, the note modal, snooze and skip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.services import Clock, utc_now
from knowledge import KnowledgeBase
from knowledge.model import Check, Item
from storage import Database
from storage.models import CheckinAnswer, Delivery
from storage.repositories import Answers, Deliveries

STATUSES = ("on_track", "at_risk", "blocked", "done")
MATURITY_LEVELS = range(6)
NOTE_LIMIT = 3000
NOTE_KEY = ""  # the prompt's note is stored as an answer row with an empty check ref
SNOOZE_FOR = timedelta(days=1)


class CheckinError(Exception):
    """A check-in action that can't be done; the message says why, for the person who clicked."""


class UnknownCheckinError(CheckinError):
    def __init__(self) -> None:
        super().__init__("I can't find that check-in any more.")


class NotYourCheckinError(CheckinError):
    def __init__(self, owner_id: str) -> None:
        super().__init__(f"This check-in belongs to <@{owner_id}>; only they can answer it.")


class CheckinClosedError(CheckinError):
    def __init__(self, deadline: datetime) -> None:
        super().__init__("This check-in has closed; it was recorded as no response where unanswered.")
        self.deadline = deadline


class InvalidAnswerError(CheckinError):
    pass


@dataclass(frozen=True)
class CheckState:
    check: Check
    status: str | None = None
    maturity: int | None = None
    editing: bool = False

    @property
    def answered(self) -> bool:
        return self.status is not None and self.maturity is not None


@dataclass(frozen=True)
class PromptState:
    """Everything the prompt message shows, at one moment."""

    delivery_id: int
    owner_id: str
    item: Item
    period: str
    lang: str
    checks: tuple[CheckState, ...]
    note: str | None
    skipped: bool
    closed: bool
    deadline_at: datetime
    channel: str | None
    ts: str | None

    @property
    def touched(self) -> bool:
        return any(c.status is not None or c.maturity is not None for c in self.checks) or bool(self.note)

    @property
    def complete(self) -> bool:
        return all(c.answered for c in self.checks)


class CheckinService:
    def __init__(self, db: Database, kb: KnowledgeBase, clock: Clock = utc_now) -> None:
        self.db = db
        self.kb = kb
        self.clock = clock

    def state(self, delivery_id: int, *, editing: frozenset[str] = frozenset()) -> PromptState:
        with self.db.session() as session:
            delivery = self._prompt(Deliveries(session).get(delivery_id))
            answers = Answers(session).for_delivery(delivery_id)
            return self._state(delivery, answers, editing)

    def _state(self, delivery: Delivery, answers: dict[str, CheckinAnswer], editing: frozenset[str]) -> PromptState:
        item = self.kb.frameworks["v3"].item(delivery.item)
        by_ref = {check.ref: check for check in item.checks}
        checks = []
        for ref in filter(None, delivery.checks.split(",")):
            answer = answers.get(ref)
            checks.append(
                CheckState(
                    by_ref[ref],
                    answer.status if answer else None,
                    answer.maturity if answer else None,
                    editing=ref in editing,
                )
            )
        note = answers.get(NOTE_KEY)
        assert delivery.deadline_at is not None
        return PromptState(
            delivery_id=delivery.id,
            owner_id=delivery.owner_id,
            item=item,
            period=delivery.period,
            lang=delivery.lang,
            checks=tuple(checks),
            note=note.note if note else None,
            skipped=delivery.skipped,
            closed=self.clock() >= delivery.deadline_at,
            deadline_at=delivery.deadline_at,
            channel=delivery.channel,
            ts=delivery.ts,
        )

    @staticmethod
    def _prompt(delivery: Delivery | None) -> Delivery:
        if delivery is None or delivery.kind != "prompt":
            raise UnknownCheckinError
        return delivery

    def _editable(self, delivery: Delivery, user_id: str) -> None:
        if delivery.owner_id != user_id:
            raise NotYourCheckinError(delivery.owner_id)
        assert delivery.deadline_at is not None
        if self.clock() >= delivery.deadline_at:
            raise CheckinClosedError(delivery.deadline_at)

    def answer(
        self, delivery_id: int, user_id: str, check_ref: str, *, status: str | None = None, maturity: int | None = None
    ) -> PromptState:
        if status is not None and status not in STATUSES:
            raise InvalidAnswerError(f"Unknown status {status[:20]!r}.")
        if maturity is not None and maturity not in MATURITY_LEVELS:
            raise InvalidAnswerError("Maturity is a level from 0 to 5.")
        now = self.clock()
        with self.db.session() as session:
            delivery = self._prompt(Deliveries(session).get(delivery_id))
            self._editable(delivery, user_id)
            if check_ref not in delivery.checks.split(","):
                raise InvalidAnswerError("That check is not part of this check-in.")
            values: dict[str, object] = {}
            if status is not None:
                values["status"] = status
            if maturity is not None:
                values["maturity"] = maturity
            answers = Answers(session)
            answers.record(delivery, check_ref, user_id, now, **values)
            if delivery.skipped:  # answering undoes "skip this week"
                answers.log(delivery.id, "", "skip", old=True, new=False, user_id=user_id, at=now)
                delivery.skipped = False
            return self._state(delivery, answers.for_delivery(delivery_id), frozenset())

    def note(self, delivery_id: int, user_id: str, text: str) -> PromptState:
        cleaned = text.replace("\x00", "").strip()[:NOTE_LIMIT] or None
        now = self.clock()
        with self.db.session() as session:
            delivery = self._prompt(Deliveries(session).get(delivery_id))
            self._editable(delivery, user_id)
            answers = Answers(session)
            answers.record(delivery, NOTE_KEY, user_id, now, note=cleaned)
            return self._state(delivery, answers.for_delivery(delivery_id), frozenset())

    def snooze(self, delivery_id: int, user_id: str) -> PromptState:
        now = self.clock()
        with self.db.session() as session:
            delivery = self._prompt(Deliveries(session).get(delivery_id))
            self._editable(delivery, user_id)
            remind_at = now + SNOOZE_FOR
            Answers(session).log(delivery.id, "", "snooze", delivery.remind_at, remind_at, user_id, now)
            delivery.remind_at = remind_at
            return self._state(delivery, Answers(session).for_delivery(delivery_id), frozenset())

    def skip(self, delivery_id: int, user_id: str, *, skipped: bool = True) -> PromptState:
        now = self.clock()
        with self.db.session() as session:
            delivery = self._prompt(Deliveries(session).get(delivery_id))
            self._editable(delivery, user_id)
            if delivery.skipped != skipped:
                Answers(session).log(delivery.id, "", "skip", delivery.skipped, skipped, user_id, now)
                delivery.skipped = skipped
            return self._state(delivery, Answers(session).for_delivery(delivery_id), frozenset())

    def open_prompts(self, user_id: str) -> list[PromptState]:
        now = self.clock()
        with self.db.session() as session:
            prompts = Deliveries(session).open_prompts(user_id, now)
            answers = Answers(session).for_deliveries([p.id for p in prompts])
            return [self._state(p, answers.get(p.id, {}), frozenset()) for p in prompts]


@dataclass(frozen=True)
class LastAnswer:
    item: int
    check_ref: str
    status: str | None
    maturity: int | None
    period: str
    answered_at: datetime


def last_answers(db: Database, owner_id: str) -> dict[int, LastAnswer]:
    """The owner's most recent answer per item (for the Home tab)."""
    with db.session() as session:
        rows = session.scalars(
            select(CheckinAnswer)
            .where(CheckinAnswer.owner_id == owner_id, CheckinAnswer.check_ref != NOTE_KEY)
            .order_by(CheckinAnswer.answered_at.desc())
            .limit(200)
        )
        latest: dict[int, LastAnswer] = {}
        for row in rows:
            if row.item not in latest:
                latest[row.item] = LastAnswer(
                    row.item, row.check_ref, row.status, row.maturity, row.period, row.answered_at
                )
        return latest
