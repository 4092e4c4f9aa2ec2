"""Calendar arithmetic for check-ins: ISO-week periods in the org's timezone, local send times,
and which Appendix A-2 checks an owner gets in a given week. Pure functions."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from knowledge.model import Check, Item


def period_of(instant: datetime, tz: ZoneInfo) -> str:
    """The ISO week containing `instant` in `tz`, e.g. '2026-W48'."""
    year, week, _ = instant.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(period: str) -> date:
    year, _, week = period.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def shift(period: str, weeks: int) -> str:
    year, week, _ = (monday_of(period) + timedelta(weeks=weeks)).isocalendar()
    return f"{year}-W{week:02d}"


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """`clock` on `day` in `tz`, as an aware UTC instant. A time skipped by a DST change (02:30 on a
    spring-forward night) maps to the first valid instant after the gap's start, as zoneinfo does."""
    local = datetime.combine(day, clock, tzinfo=tz)
    return local.astimezone(ZoneInfo("UTC"))


def weekday_in(period: str, weekday: int, clock: time, tz: ZoneInfo) -> datetime:
    """The instant of `weekday` (0 = Monday) at `clock` in `tz`, within the ISO week `period`."""
    return at_local(monday_of(period) + timedelta(days=weekday), clock, tz)


def week_index(period: str) -> int:
    """Weeks since a fixed Monday: the rotation counter."""
    return monday_of(period).toordinal() // 7


def checks_per_prompt(item: Item) -> int:
    """One check a week for short lists, two for longer ones: every item's checks come round within
    five weeks (items 5's ten checks, two at a time), so all 40 are covered well inside a quarter."""
    return 1 if len(item.checks) <= 3 else 2


def checks_for(item: Item, owner_id: str, period: str) -> tuple[Check, ...]:
    """The checks `owner_id` answers for `item` in `period`, rotating week by week. Co-owners start at
    different checks, so together they cover more of the item each week."""
    checks = item.checks
    if not checks:
        return ()
    count = checks_per_prompt(item)
    start = zlib.crc32(owner_id.encode()) % len(checks)
    first = start + week_index(period) * count
    return tuple(checks[(first + offset) % len(checks)] for offset in range(min(count, len(checks))))
