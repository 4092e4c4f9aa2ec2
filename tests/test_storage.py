"""Repositories behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services import QAService, UnknownQuestionError
from knowledge import KnowledgeBase
from storage import Database, upgrade
from storage.repositories import AskedQuestion, Feedback, Questions

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def asked(text: str, *, answered: bool, entry_id: str | None = None) -> AskedQuestion:
    return AskedQuestion(text, "en", answered, entry_id, 0.5, "cli")


def test_upgrade_is_idempotent(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    database = Database(db_url)
    assert database.is_current()
    database.dispose()


def test_questions_round_trip_with_aware_times(fresh_db: Database) -> None:
    with fresh_db.session() as session:
        question_id = Questions(session).record(asked("Hello\x00 there", answered=False), NOW)
    with fresh_db.session() as session:
        row = Questions(session).get(question_id)
        assert row is not None
        assert row.text == "Hello there"
        assert row.asked_at == NOW


def test_unanswered_groups_case_insensitively_and_respects_since(fresh_db: Database) -> None:
    with fresh_db.session() as session:
        questions = Questions(session)
        questions.record(asked("Lunch?", answered=False), NOW - timedelta(days=40))
        questions.record(asked("Meeting room?", answered=False), NOW)
        questions.record(asked("meeting room?", answered=False), NOW + timedelta(minutes=1))
        questions.record(asked("PDCA?", answered=True, entry_id="topic-pdca"), NOW)
    with fresh_db.session() as session:
        rows = Questions(session).unanswered(NOW - timedelta(days=30))
    assert [(row.text.lower(), row.count) for row in rows] == [("meeting room?", 2)]


def test_most_asked_counts_answered_entries_in_window(fresh_db: Database) -> None:
    with fresh_db.session() as session:
        questions = Questions(session)
        for _ in range(3):
            questions.record(asked("PDCA?", answered=True, entry_id="topic-pdca"), NOW)
        questions.record(asked("CISO?", answered=True, entry_id="topic-ciso"), NOW)
        questions.record(asked("old", answered=True, entry_id="topic-ciso"), NOW - timedelta(days=9))
    with fresh_db.session() as session:
        ranked = Questions(session).most_asked(NOW - timedelta(days=7), NOW + timedelta(days=1))
    assert ranked == [("topic-pdca", 3), ("topic-ciso", 1)]


def test_feedback_latest_click_wins(fresh_db: Database) -> None:
    with fresh_db.session() as session:
        question_id = Questions(session).record(asked("PDCA?", answered=True, entry_id="topic-pdca"), NOW)
        feedback = Feedback(session)
        feedback.vote(question_id, "U1", helpful=True, at=NOW)
        feedback.vote(question_id, "U1", helpful=False, at=NOW)
        feedback.vote(question_id, "U2", helpful=True, at=NOW)
    with fresh_db.session() as session:
        assert Feedback(session).tally(question_id) == (1, 1)


def test_service_records_and_rejects_feedback_on_unknown_question(fresh_db: Database, kb: KnowledgeBase) -> None:
    service = QAService(kb, fresh_db, clock=lambda: NOW)
    result = service.ask("指示7とは？", source="dm", user_id="U1", channel_id="D1")
    assert result.question_id is not None
    with fresh_db.session() as session:
        row = Questions(session).get(result.question_id)
        assert row is not None
        assert (row.lang, row.answered, row.entry_id, row.source) == ("ja", True, "v3-item-7", "dm")
    with pytest.raises(UnknownQuestionError):
        service.feedback(999_999, "U1", helpful=True)


def test_naive_datetimes_are_refused(fresh_db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), fresh_db.session() as session:
        Questions(session).record(asked("x", answered=False), datetime(2026, 1, 1))  # noqa: DTZ001


def test_old_event_claims_are_forgotten_recent_ones_kept(fresh_db: Database) -> None:
    from storage.repositories import Events

    with fresh_db.session() as session:
        events = Events(session)
        assert events.claim("EvOld", NOW - timedelta(days=8))
        assert events.claim("EvNew", NOW)
    with fresh_db.session() as session:
        assert Events(session).forget_before(NOW - timedelta(days=7)) == 1
    with fresh_db.session() as session:
        assert Events(session).claim("EvOld", NOW)  # gone, so claimable again
        assert not Events(session).claim("EvNew", NOW)  # still remembered
