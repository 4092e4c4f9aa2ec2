"""The pure planner: what is due at an instant, for owners in several timezones, across DST."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.org import CheckinSchedule, OrgConfig
from bot.periods import checks_for, period_of, shift, weekday_in
from bot.scheduler import Known, PromptJob, ReminderJob, Snapshot, plan_checkins
from knowledge import KnowledgeBase

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def org(tz: str = "Asia/Tokyo", owners: dict[int, tuple[str, ...]] | None = None) -> OrgConfig:
    return OrgConfig(
        timezone=tz,
        checkins=CheckinSchedule(1, time(10, 0), 24, 72),
        owners=owners if owners is not None else {5: ("U0TOKYO", "U0NEWYORK")},
    )


def solo() -> OrgConfig:
    return org(owners={5: ("U0TOKYO",)})


ZONES = {"U0TOKYO": TOKYO, "U0NEWYORK": NEW_YORK}


def sent(prompt_id: int, at: datetime, *, remind_at: datetime | None = None, skipped: bool = False) -> Snapshot:
    return Snapshot(prompt_id, "sent", at, at, remind_at, skipped)


def test_prompts_go_out_at_each_owners_local_time(kb: KnowledgeBase) -> None:
    framework = kb.frameworks["v3"]
    tuesday_10_tokyo = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    assert plan_checkins(tuesday_10_tokyo - timedelta(minutes=1), org(), framework, ZONES, {}) == []
    jobs = plan_checkins(tuesday_10_tokyo, org(), framework, ZONES, {})
    assert [(job.owner_id, job.item) for job in jobs] == [("U0TOKYO", 5)]
    assert jobs[0].period == "2026-W49"
    tuesday_10_new_york = datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK)  # Wednesday 00:00 in Tokyo
    jobs = plan_checkins(tuesday_10_new_york, org(), framework, ZONES, {})
    assert {job.owner_id for job in jobs} == {"U0TOKYO", "U0NEWYORK"}


def test_new_york_local_time_holds_across_dst(kb: KnowledgeBase) -> None:
    """10:00 stays 10:00 for a New York owner when the clocks change (1 November 2026)."""
    before = weekday_in("2026-W44", 1, time(10, 0), NEW_YORK)  # Tue 27 Oct, EDT
    after = weekday_in("2026-W45", 1, time(10, 0), NEW_YORK)  # Tue 3 Nov, EST
    assert (before.astimezone(UTC).hour, after.astimezone(UTC).hour) == (14, 15)
    framework = kb.frameworks["v3"]
    ny_org = org("America/New_York", {7: ("U0NEWYORK",)})
    assert plan_checkins(after - timedelta(minutes=1), ny_org, framework, ZONES, {}) == []
    assert len(plan_checkins(after, ny_org, framework, ZONES, {})) == 1


def test_a_missed_send_is_caught_up_late_but_never_for_a_past_period(kb: KnowledgeBase) -> None:
    framework = kb.frameworks["v3"]
    due = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    (job,) = plan_checkins(due + timedelta(hours=5), solo(), framework, {"U0TOKYO": TOKYO}, {})
    assert isinstance(job, PromptJob)
    assert job.late
    assert job.due_at == due
    pending = {("U0TOKYO", 5): Known(prompt=Snapshot(1, "pending", due, None, None, skipped=False))}
    next_monday = datetime(2026, 12, 7, 9, 0, tzinfo=TOKYO)  # the next period, before its check-in time
    assert plan_checkins(next_monday, solo(), framework, {"U0TOKYO": TOKYO}, pending) == []


def test_nothing_after_the_deadline(kb: KnowledgeBase) -> None:
    due = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    assert plan_checkins(due + timedelta(hours=72), solo(), kb.frameworks["v3"], {"U0TOKYO": TOKYO}, {}) == []


def test_claims_in_flight_are_left_alone_until_their_lease_ends(kb: KnowledgeBase) -> None:
    framework = kb.frameworks["v3"]
    due = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    claimed = {("U0TOKYO", 5): Known(prompt=Snapshot(1, "claimed", due, None, None, skipped=False))}
    assert plan_checkins(due + timedelta(minutes=1), solo(), framework, {"U0TOKYO": TOKYO}, claimed) == []
    assert len(plan_checkins(due + timedelta(minutes=6), solo(), framework, {"U0TOKYO": TOKYO}, claimed)) == 1


def test_one_reminder_for_the_silent_only_and_snooze_moves_it(kb: KnowledgeBase) -> None:
    framework = kb.frameworks["v3"]
    zones = {"U0TOKYO": TOKYO}
    due = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    silent = {("U0TOKYO", 5): Known(prompt=sent(1, due))}
    assert plan_checkins(due + timedelta(hours=23), solo(), framework, zones, silent) == []
    (job,) = plan_checkins(due + timedelta(hours=24), solo(), framework, zones, silent)
    assert isinstance(job, ReminderJob)
    assert job.kind == "reminder"
    answered = {("U0TOKYO", 5): Known(prompt=sent(1, due), answered=True)}
    assert plan_checkins(due + timedelta(hours=24), solo(), framework, zones, answered) == []
    skipped = {("U0TOKYO", 5): Known(prompt=sent(1, due, skipped=True))}
    assert plan_checkins(due + timedelta(hours=24), solo(), framework, zones, skipped) == []
    snoozed = {("U0TOKYO", 5): Known(prompt=sent(1, due, remind_at=due + timedelta(hours=30)))}
    assert plan_checkins(due + timedelta(hours=24), solo(), framework, zones, snoozed) == []
    reminded = {
        ("U0TOKYO", 5): Known(
            prompt=sent(1, due, remind_at=due + timedelta(hours=40)),
            reminders={"reminder": sent(2, due + timedelta(hours=24))},
        )
    }
    (again,) = plan_checkins(due + timedelta(hours=40), solo(), framework, zones, reminded)
    assert isinstance(again, ReminderJob)
    assert again.kind == "snooze"


def test_checks_rotate_through_every_check_within_a_quarter(kb: KnowledgeBase) -> None:
    framework = kb.frameworks["v3"]
    for item in framework.items:
        for owner in ("U0TOKYO", "U0NEWYORK"):
            seen: set[str] = set()
            period = "2026-W49"
            for _ in range(13):
                picked = checks_for(item, owner, period)
                assert 1 <= len(picked) <= 2
                seen |= {check.ref for check in picked}
                period = shift(period, 1)
            assert seen == {check.ref for check in item.checks}, item.number


def test_period_is_the_iso_week_in_the_org_timezone() -> None:
    sunday_night_utc = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # already Monday 05:00 in Tokyo
    assert period_of(sunday_night_utc, TOKYO) == "2026-W50"
    assert period_of(sunday_night_utc, NEW_YORK) == "2026-W49"
    assert shift("2026-W53", 1) == "2027-W01"
