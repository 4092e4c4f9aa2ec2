"""Readiness: pure functions over the latest answers. 0-100 per item and overall; no data is None.

- A check's value is its latest maturity (0-5) answered before the week's cutoff (the end of the
  ISO week in the org's timezone).
- An item's score is the mean of its checks with data, scaled to 0-100; coverage is how many of its
  checks have data. An item with no data has no score: never shown as 0 or 100.
- Overall readiness is the mean over items with a score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from knowledge.model import Framework
from storage.repositories import MaturityRow

MAX_LEVEL = 5


@dataclass(frozen=True)
class ItemReadiness:
    number: int
    score: float | None
    change: float | None  # against the previous week; None when either week has no score
    status: str | None  # the worst status given this week, None when nobody answered
    covered: int
    checks: int
    owners: tuple[str, ...]
    last_update: datetime | None


@dataclass(frozen=True)
class Readiness:
    period: str
    overall: float | None
    change: float | None
    items: tuple[ItemReadiness, ...]

    def item(self, number: int) -> ItemReadiness:
        return next(item for item in self.items if item.number == number)


def _scores(framework: Framework, maturities: Iterable[MaturityRow]) -> dict[int, tuple[float, int]]:
    """item -> (score 0-100, checks with data)."""
    by_item: dict[int, list[int]] = defaultdict(list)
    for row in maturities:
        by_item[row.item].append(row.maturity)
    known = {item.number for item in framework.items}
    return {
        item: (100 * sum(levels) / (MAX_LEVEL * len(levels)), len(levels))
        for item, levels in by_item.items()
        if item in known and levels
    }


def overall_of(framework: Framework, maturities: Iterable[MaturityRow]) -> float | None:
    scores = [score for score, _ in _scores(framework, maturities).values()]
    return sum(scores) / len(scores) if scores else None


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def readiness(
    framework: Framework,
    period: str,
    maturities: Iterable[MaturityRow],
    previous: Iterable[MaturityRow],
    *,
    statuses: Mapping[int, str] | None = None,
    owners: Mapping[int, tuple[str, ...]] | None = None,
    last_updates: Mapping[int, datetime] | None = None,
) -> Readiness:
    this_week, last_week = list(maturities), list(previous)
    scores, before = _scores(framework, this_week), _scores(framework, last_week)
    items = []
    for item in framework.items:
        score, covered = scores.get(item.number, (None, 0))
        old = before.get(item.number, (None, 0))[0]
        items.append(
            ItemReadiness(
                number=item.number,
                score=score,
                change=_change(score, old),
                status=(statuses or {}).get(item.number),
                covered=covered,
                checks=len(item.checks),
                owners=(owners or {}).get(item.number, ()),
                last_update=(last_updates or {}).get(item.number),
            )
        )
    overall = overall_of(framework, this_week)
    return Readiness(period, overall, _change(overall, overall_of(framework, last_week)), tuple(items))
