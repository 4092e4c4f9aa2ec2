"""Repositories: the only place that writes SQL for the rest of the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AnswerFeedback, ProcessedEvent, QuestionLog

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

    def unanswered(self, since: datetime, limit: int = 20) -> list[QuestionCount]:
        """Questions the engine refused since `since`, most often asked first (for curators)."""
        key = func.lower(QuestionLog.text)
        rows = self.session.execute(
            select(func.min(QuestionLog.text), func.count(), func.max(QuestionLog.asked_at))
            .where(QuestionLog.answered.is_(False), QuestionLog.asked_at >= since)
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
