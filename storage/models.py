"""Tables. Every change goes through an Alembic migration in storage/migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Dialect, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores no zone; naive values are refused)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, _dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 - SQLAlchemy reads it as a class attribute


class QuestionLog(Base):
    """Every question asked, where, in which language, and what the engine did with it."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    answered: Mapped[bool] = mapped_column(Boolean)
    entry_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))  # cli, chat, mention, dm, command, demo
    user_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class AnswerFeedback(Base):
    """A 👍/👎 on an answer; one vote per person per question, the latest click wins."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_feedback_question_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(40))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column()


class ProcessedEvent(Base):
    """Slack event ids already handled: Slack retries an event up to three times; we answer once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class OrgSettings(Base):
    """The organisation's configuration (one row, id 1); replaced whole by `shishin org import`."""

    __tablename__ = "org_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guideline: Mapped[str] = mapped_column(String(4))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    checkin_weekday: Mapped[int] = mapped_column(Integer)
    checkin_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    reminder_after_hours: Mapped[int] = mapped_column(Integer)
    deadline_hours: Mapped[int] = mapped_column(Integer)
    digest_weekday: Mapped[int] = mapped_column(Integer)
    digest_time: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column()


class OrgAdmin(Base):
    __tablename__ = "org_admins"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class LeadershipChannel(Base):
    __tablename__ = "leadership_channels"

    channel_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class ItemOwner(Base):
    __tablename__ = "item_owners"

    item: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)


class SlackUser(Base):
    """What users.info said about a person (timezone, locale, admin flags), and their DM channel."""

    __tablename__ = "slack_users"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tz: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    dm_channel: Mapped[str | None] = mapped_column(String(40), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)  # display name, for the digest


class Delivery(Base):
    """A scheduled message, claimed by its UNIQUE key before Slack is called, so it goes out once.

    kind: prompt | reminder | snooze (check-ins), digest (leadership channels; owner_id holds the
    channel, item 0). state: claimed -> sent, or claimed -> pending (Slack failed; a later tick retries).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("owner_id", "item", "period", "kind", name="uq_delivery"),
        Index("ix_deliveries_period_kind", "period", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(40))
    item: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10), index=True)  # ISO week, e.g. 2026-W48
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    checks: Mapped[str] = mapped_column(String(200), default="")  # comma-separated check refs
    due_at: Mapped[datetime] = mapped_column()
    deadline_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_at: Mapped[datetime] = mapped_column()
    claim_token: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    channel: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lang: Mapped[str] = mapped_column(String(2), default="en")
    # Prompt-only state
    remind_at: Mapped[datetime | None] = mapped_column(nullable=True)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)


class CheckinAnswer(Base):
    """The current answer to one check of one prompt; every change is also in checkin_events."""

    __tablename__ = "checkin_answers"
    __table_args__ = (
        UniqueConstraint("delivery_id", "check_ref", name="uq_answer_check"),
        Index("ix_checkin_answers_check_time", "check_ref", "answered_at"),
        Index("ix_checkin_answers_item_time", "item", "answered_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(String(40))
    item: Mapped[int] = mapped_column(Integer)
    check_ref: Mapped[str] = mapped_column(String(20))  # "" for the prompt's note
    period: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str | None] = mapped_column(String(10), nullable=True)
    maturity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(index=True)
    answered_by: Mapped[str] = mapped_column(String(40))


class CheckinEvent(Base):
    """Append-only history: who changed what, when, from what to what."""

    __tablename__ = "checkin_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    check_ref: Mapped[str] = mapped_column(String(20))
    field: Mapped[str] = mapped_column(String(10))  # status | maturity | note | skip | snooze
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
