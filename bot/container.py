"""Composition root for everything that is not Slack: knowledge, database, services."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import Clock, EventGate, QAService, utc_now
from bot.settings import Settings
from knowledge import KnowledgeBase, load_kb
from storage import Database


@dataclass
class Services:
    settings: Settings
    kb: KnowledgeBase
    db: Database | None
    qa: QAService
    events: EventGate

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()


def build_services(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    with_db: bool = True,
    clock: Clock = utc_now,
) -> Services:
    kb = kb or load_kb(settings.kb_path)
    db = Database(settings.database_url) if with_db else None
    if db is not None:
        db.ensure_schema()
    return Services(settings=settings, kb=kb, db=db, qa=QAService(kb, db, clock), events=EventGate(db, clock))
