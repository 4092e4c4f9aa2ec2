"""Services that span packages: the answer engine plus what it records. Slack-free and testable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge import Answer, KnowledgeBase, retrieve
from storage import Database
from storage.repositories import AskedQuestion, Events, Feedback, QuestionCount, Questions

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AskResult:
    answer: Answer
    question_id: int | None  # None when not recorded


class QAService:
    def __init__(self, kb: KnowledgeBase, db: Database | None, clock: Clock = utc_now) -> None:
        self.kb = kb
        self.db = db
        self.clock = clock

    def ask(
        self,
        question: str,
        *,
        source: str,
        user_id: str | None = None,
        channel_id: str | None = None,
        record: bool = True,
    ) -> AskResult:
        result = self._ask(question, source, user_id, channel_id, record=record, event_id=None)
        assert result is not None
        return result

    def ask_once(
        self, event_id: str | None, question: str, *, source: str, user_id: str | None, channel_id: str | None
    ) -> AskResult | None:
        """Like ask(), for a Slack event: None when that event was already handled (a retry). The claim
        and the question are written in one transaction, so there is never an answer without a claim."""
        return self._ask(question, source, user_id, channel_id, record=True, event_id=event_id)

    def _ask(
        self,
        question: str,
        source: str,
        user_id: str | None,
        channel_id: str | None,
        *,
        record: bool,
        event_id: str | None,
    ) -> AskResult | None:
        answer = retrieve(question, self.kb)
        if not record or self.db is None:
            return AskResult(answer, None)
        asked = AskedQuestion(
            text=question,
            lang=answer.lang,
            answered=answer.answered,
            entry_id=answer.entry.id if answer.answered and answer.entry else None,
            score=answer.score,
            source=source,
            user_id=user_id,
            channel_id=channel_id,
        )
        now = self.clock()
        with self.db.session() as session:
            if event_id and not Events(session).claim(event_id, now):
                return None
            question_id = Questions(session).record(asked, now)
        return AskResult(answer, question_id)

    def feedback(self, question_id: int, user_id: str, *, helpful: bool) -> None:
        if self.db is None:
            return
        with self.db.session() as session:
            if Questions(session).get(question_id) is None:
                raise UnknownQuestionError(question_id)
            Feedback(session).vote(question_id, user_id, helpful=helpful, at=self.clock())

    def unanswered(self, days: int = 30, limit: int = 20) -> list[QuestionCount]:
        if self.db is None:
            return []
        with self.db.session() as session:
            return Questions(session).unanswered(self.clock() - timedelta(days=days), limit)


class UnknownQuestionError(LookupError):
    def __init__(self, question_id: int) -> None:
        super().__init__(f"no question with id {question_id}")
        self.question_id = question_id


class EventGate:
    """Lets each Slack event through once, across retries and processes (a row per event id)."""

    def __init__(self, db: Database | None, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def first_time(self, event_id: str | None) -> bool:
        if not event_id or self.db is None:
            return True
        with self.db.session() as session:
            return Events(session).claim(event_id, self.clock())
