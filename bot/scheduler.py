"""What is due, and sending it exactly once.

`plan_checkins` is a pure function: given the org, people's timezones, what the database already
holds for this period, and the clock, it returns the prompts and reminders due now. `Dispatcher`
carries them out: claim a row with a UNIQUE key, call Slack, mark the row sent (or pending, for the
next tick). A claim left behind by a killed process is taken over after a lease; before re-sending,
the DM is searched for a message whose metadata names the delivery, so a send that did happen is
never repeated.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.chart import chart_png
from bot.checkin_blocks import prompt_message, reminder_message
from bot.checkins import CheckinService
from bot.digest import Digest, DigestService, covered_period, digest_due, digest_message
from bot.directory import Directory
from bot.org import OrgConfig
from bot.periods import checks_for, period_of, weekday_in
from bot.services import Clock
from knowledge.model import Framework
from storage import Database
from storage.models import Delivery
from storage.repositories import Answers, Claim, Deliveries, DeliveryKey

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claim this old, still unsent, belonged to a process that died
LATE_AFTER = timedelta(hours=1)  # a prompt sent this long after its time is a catch-up
METADATA_EVENT = "shishin_delivery"


@dataclass(frozen=True)
class Snapshot:
    """What the database holds for one delivery."""

    id: int
    state: str
    claimed_at: datetime
    sent_at: datetime | None
    remind_at: datetime | None
    skipped: bool

    @classmethod
    def of(cls, row: Delivery) -> Snapshot:
        return cls(row.id, row.state, row.claimed_at, row.sent_at, row.remind_at, row.skipped)

    def needs_send(self, now: datetime, lease: timedelta = LEASE) -> bool:
        return self.state == "pending" or (self.state == "claimed" and now - self.claimed_at >= lease)


@dataclass
class Known:
    """One owner×item this period: its prompt and reminders, and whether anything was answered."""

    prompt: Snapshot | None = None
    reminders: dict[str, Snapshot] = field(default_factory=dict)
    answered: bool = False


@dataclass(frozen=True)
class PromptJob:
    owner_id: str
    item: int
    period: str
    due_at: datetime
    deadline_at: datetime
    remind_at: datetime
    checks: tuple[str, ...]
    late: bool


@dataclass(frozen=True)
class ReminderJob:
    prompt_id: int
    owner_id: str
    item: int
    period: str
    kind: str  # reminder | snooze
    due_at: datetime


Job = PromptJob | ReminderJob


def _unsent(snapshot: Snapshot | None, now: datetime) -> bool:
    return snapshot is None or snapshot.needs_send(now)


def plan_checkins(
    now: datetime,
    org: OrgConfig,
    framework: Framework,
    zones: Mapping[str, ZoneInfo | None],
    known: Mapping[tuple[str, int], Known],
) -> list[Job]:
    """Prompts and reminders due at `now`, in the current period only (a past period is never sent)."""
    period = period_of(now, org.tz)
    schedule = org.checkins
    jobs: list[Job] = []
    for item_number in sorted(org.owners):
        item = framework.item(item_number)
        for owner in org.owners[item_number]:
            due = weekday_in(period, schedule.weekday, schedule.at, zones.get(owner) or org.tz)
            deadline = due + timedelta(hours=schedule.deadline_hours)
            if not due <= now < deadline:
                continue
            state = known.get((owner, item_number), Known())
            prompt = state.prompt
            if _unsent(prompt, now):
                checks = tuple(check.ref for check in checks_for(item, owner, period))
                remind_at = due + timedelta(hours=schedule.reminder_after_hours)
                jobs.append(
                    PromptJob(owner, item_number, period, due, deadline, remind_at, checks, now - due > LATE_AFTER)
                )
                continue
            assert prompt is not None
            if prompt.state != "sent" or state.answered or prompt.skipped:
                continue
            remind_at = prompt.remind_at or due + timedelta(hours=schedule.reminder_after_hours)
            if now < remind_at:
                continue
            first = state.reminders.get("reminder")
            if _unsent(first, now):
                jobs.append(ReminderJob(prompt.id, owner, item_number, period, "reminder", remind_at))
            elif first and first.sent_at and first.sent_at < remind_at and _unsent(state.reminders.get("snooze"), now):
                jobs.append(ReminderJob(prompt.id, owner, item_number, period, "snooze", remind_at))
    return jobs


@dataclass
class TickReport:
    at: datetime
    period: str = ""
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def lines(self) -> list[str]:
        head = f"tick at {self.at.isoformat()} (period {self.period or '-'})"
        body = [f"  {name}: {count}" for name, count in sorted(self.counts.items())] or ["  nothing was due"]
        return [head, *body, *(f"  note: {note}" for note in self.notes)]


class Dispatcher:
    """Carries out what is due. Safe to run in several processes at once."""

    def __init__(
        self,
        db: Database,
        client: WebClient,
        checkins: CheckinService,
        directory: Directory,
        clock: Clock,
        *,
        workers: int = 8,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.client = client
        self.checkins = checkins
        self.directory = directory
        self.clock = clock
        self.workers = workers
        self.lease = lease
        self.token = uuid.uuid4().hex

    def known(self, period: str) -> dict[tuple[str, int], Known]:
        with self.db.session() as session:
            rows = Deliveries(session).for_period(period)
            prompts = [row for row in rows if row.kind == "prompt"]
            answers = Answers(session).for_deliveries([row.id for row in prompts])
        known: dict[tuple[str, int], Known] = {}
        for row in rows:
            entry = known.setdefault((row.owner_id, row.item), Known())
            if row.kind == "prompt":
                entry.prompt = Snapshot.of(row)
                entry.answered = any(
                    a.status is not None or a.maturity is not None or a.note for a in answers.get(row.id, {}).values()
                )
            else:
                entry.reminders[row.kind] = Snapshot.of(row)
        return known

    def run_checkins(self, org: OrgConfig, framework: Framework, now: datetime, report: TickReport) -> None:
        owners = sorted({owner for users in org.owners.values() for owner in users})
        people = self.directory.people(owners)
        zones = {owner: person.tz for owner, person in people.items()}
        report.period = period_of(now, org.tz)
        jobs = plan_checkins(now, org, framework, zones, self.known(report.period))

        def run(job: Job) -> str:
            person = people[job.owner_id]
            tz = person.tz or org.tz
            try:
                if isinstance(job, PromptJob):
                    return self._prompt(job, person.lang, tz, now)
                return self._reminder(job, tz, now)
            except Exception:
                logger.exception("unexpected error sending %s", job)
                return "failed"

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for outcome in pool.map(run, jobs):
                report.add(outcome)

    def run_digests(self, org: OrgConfig, now: datetime, report: TickReport, digests: DigestService) -> None:
        """The weekly digest to each leadership channel, once per (channel, week); late within the week."""
        due = digest_due(org, now)
        if now < due or not org.leadership_channels:
            return
        week = period_of(now, org.tz)
        covered = covered_period(org, due)
        with self.db.session() as session:
            if not Deliveries(session).for_period(covered, kinds=("prompt",)):
                report.notes.append(f"no digest: no check-ins went out in {covered}")
                return
        late = now - due > LATE_AFTER
        built: list[Digest] = []

        def digest() -> Digest:
            if not built:
                built.append(digests.build(org, covered, late=late))
            return built[0]

        for channel in org.leadership_channels:
            claim = self._claim(DeliveryKey(channel, 0, week, "digest"), now, due_at=due, checks=covered, late=late)
            if claim is None:
                report.add("digests already posted")
            else:
                report.add(self._post_digest(claim, channel, org, digest))
            chart = self._claim(DeliveryKey(channel, 0, week, "chart"), now, due_at=due, checks=covered, late=late)
            if chart is not None:
                report.add(self._post_chart(chart, channel, digest))

    def _post_digest(self, claim: Claim, channel: str, org: OrgConfig, digest: Any) -> str:
        def compose() -> dict[str, Any]:
            return digest_message(digest(), self.checkins.kb, org.language).as_kwargs()

        return self._send(claim, compose, "digests posted", channel=channel)

    def _post_chart(self, claim: Claim, channel: str, digest: Any) -> str:
        title = f"Shishin readiness chart {claim.delivery_id}"
        try:
            if claim.recovering and (found := self._find_file(channel, title)):
                self._mark_sent(claim, channel, found)
                return "recovered (had been sent)"
            this = digest()
            png = chart_png(this.readiness, this.previous, list(this.trend))
            response = self.client.files_upload_v2(
                channel=channel,
                content=png,
                filename=f"readiness-{this.period}.png",
                title=title,
                initial_comment=f"Readiness chart · {this.period}",
            )
            file_id = str((response.get("file") or response.get("files", [{}])[0]).get("id", ""))
            self._mark_sent(claim, channel, file_id)
        except (SlackApiError, SlackClientError, OSError) as error:
            return self._left_pending(claim, error)
        return "charts uploaded"

    def _find_file(self, channel: str, title: str) -> str | None:
        page = self.client.conversations_history(channel=channel, limit=200)
        for message in page.get("messages", []):
            for file in message.get("files") or []:
                if file.get("title") == title:
                    return str(file.get("id"))
        return None

    def _claim(self, key: DeliveryKey, now: datetime, **fields: Any) -> Claim | None:
        with self.db.session() as session:
            return Deliveries(session).claim(key, self.token, now, lease=self.lease, **fields)

    def _prompt(self, job: PromptJob, lang: str, tz: ZoneInfo, now: datetime) -> str:
        key = DeliveryKey(job.owner_id, job.item, job.period, "prompt")
        claim = self._claim(
            key,
            now,
            due_at=job.due_at,
            deadline_at=job.deadline_at,
            remind_at=job.remind_at,
            checks=",".join(job.checks),
            lang=lang,
            late=job.late,
        )
        if claim is None:
            return "already sent"

        def compose() -> dict[str, Any]:
            state = self.checkins.state(claim.delivery_id)
            return prompt_message(state, self.checkins.kb.maturity, tz).as_kwargs()

        return self._send(claim, compose, "prompts sent", user_id=job.owner_id)

    def _reminder(self, job: ReminderJob, tz: ZoneInfo, now: datetime) -> str:
        key = DeliveryKey(job.owner_id, job.item, job.period, job.kind)
        claim = self._claim(key, now, due_at=job.due_at)
        if claim is None:
            return "already sent"

        def compose() -> dict[str, Any]:
            return reminder_message(self.checkins.state(job.prompt_id), tz).as_kwargs()

        return self._send(claim, compose, f"{job.kind}s sent", user_id=job.owner_id)

    def _send(self, claim: Claim, compose: Any, outcome: str, *, user_id: str = "", channel: str = "") -> str:
        """Post once: a recovered claim first looks for its message (by metadata) before posting."""
        try:
            channel = channel or self.directory.dm_channel(user_id)
            if claim.recovering:
                ts = self._find_sent(channel, claim.delivery_id)
                if ts is not None:
                    self._mark_sent(claim, channel, ts)
                    return "recovered (had been sent)"
            metadata = {"event_type": METADATA_EVENT, "event_payload": {"delivery_id": claim.delivery_id}}
            response = self.client.chat_postMessage(channel=channel, metadata=metadata, **compose())
            self._mark_sent(claim, channel, str(response["ts"]))
        except (SlackApiError, SlackClientError, OSError) as error:
            return self._left_pending(claim, error)
        return outcome

    def _left_pending(self, claim: Claim, error: Exception) -> str:
        data = getattr(getattr(error, "response", None), "data", None)
        reason = (data.get("error") if isinstance(data, dict) else None) or error.__class__.__name__
        if reason in ("not_in_channel", "channel_not_found"):
            logger.warning("Slack refused the post (%s): invite the bot to the channel; retried next tick", reason)
        else:
            logger.warning("send failed (%s); left pending for the next tick", reason)
        with self.db.session() as session:
            Deliveries(session).mark_pending(claim, str(reason))
        return "pending (Slack failed; retried next tick)"

    def _mark_sent(self, claim: Claim, channel: str, ts: str) -> None:
        with self.db.session() as session:
            Deliveries(session).mark_sent(claim, channel, ts, self.clock())

    def _find_sent(self, channel: str, delivery_id: int) -> str | None:
        """The ts of a message in the DM whose metadata names `delivery_id`, if it was posted. The bot
        posts a few messages a week to each person, so the latest pages are enough to look through."""
        cursor = None
        for _ in range(5):  # bounded: at most 1,000 recent messages
            page = self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in page.get("messages", []):
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("delivery_id") == delivery_id:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None


def run_every_minute(tick: Any, stop: threading.Event, clock: Clock) -> None:
    """The in-process scheduler: `tick(now)` at the top of every minute until `stop` is set."""
    while not stop.is_set():
        now = clock()
        try:
            tick(now)
        except Exception:
            logger.exception("scheduled tick failed; trying again next minute")
        wait = 60 - (clock().timestamp() % 60)
        stop.wait(wait)
