"""Services that span packages: the answer engine plus what it records. Slack-free and testable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge import Answer, KnowledgeBase, retrieve
from storage import Database
from storage.repositories import AskedQuestion, Feedback, QuestionCount, Questions

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
        with self.db.session() as session:
            question_id = Questions(session).record(asked, self.clock())
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
