"""Composition root for everything that is not Slack: knowledge, database, services.

`attach_slack(client)` adds the parts that talk to Slack (the people directory and the dispatcher);
`build_app` and `shishin tick` call it with the one client built from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.checkins import CheckinService
from bot.digest import DigestService
from bot.directory import Directory
from bot.orgs import OrgService
from bot.scheduler import Dispatcher, TickReport
from bot.services import Clock, EventGate, QAService, utc_now
from bot.settings import Settings
from knowledge import KnowledgeBase, load_kb
from storage import Database
from storage.repositories import Events

EVENT_CLAIMS_KEPT = timedelta(days=7)


@dataclass
class Services:
    settings: Settings
    kb: KnowledgeBase
    db: Database | None
    qa: QAService
    events: EventGate
    clock: Clock = utc_now
    directory: Directory | None = field(default=None, repr=False)
    dispatcher: Dispatcher | None = field(default=None, repr=False)

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("this command needs the database")
        return self.db

    @property
    def orgs(self) -> OrgService:
        return OrgService(self.database, self.clock)

    @property
    def checkins(self) -> CheckinService:
        return CheckinService(self.database, self.kb, self.clock)

    @property
    def digests(self) -> DigestService:
        return DigestService(self.database, self.kb, self.clock)

    def attach_slack(self, client: WebClient) -> None:
        self.directory = Directory(self.database, client, self.clock)
        self.dispatcher = Dispatcher(self.database, client, self.checkins, self.directory, self.clock)

    def tick(self, now: datetime) -> TickReport:
        """Everything due at `now`, once: check-in prompts and reminders, and the weekly digest."""
        report = TickReport(now)
        if self.dispatcher is None:
            raise RuntimeError("attach_slack() first")
        with self.database.session() as session:  # Slack retries within minutes; older claims only take room
            if pruned := Events(session).forget_before(now - EVENT_CLAIMS_KEPT):
                report.notes.append(f"forgot {pruned} event ids older than {EVENT_CLAIMS_KEPT.days} days")
        org = self.orgs.load()
        if org is None:
            report.notes.append("no organisation configured yet: run `shishin org import org.yaml`")
            return report
        self.dispatcher.run_checkins(org, self.kb.frameworks[org.guideline], now, report)
        self.dispatcher.run_digests(org, now, report, self.digests)
        return report

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
    return Services(
        settings=settings, kb=kb, db=db, qa=QAService(kb, db, clock), events=EventGate(db, clock), clock=clock
    )
