"""Whether a receiving point is open at a moment, when it opens next, and its week in short form.

Public holidays, the office's extra days off and make-up working days come from the office's working-day
calendar (``[calendar]`` in config.toml), so "ở đâu" and due dates agree about which days the office works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.receiving.points import Interval, OpeningHours

LOOKAHEAD_DAYS = 21


class DayCalendar(Protocol):
    """The part of the working-day calendar opening hours need."""

    makeup_days: frozenset[date]

    def is_holiday(self, d: date) -> bool:
        """A public holiday or an extra day off."""
        ...


@dataclass(frozen=True)
class OpeningStatus:
    """Open now (until ``closes_at``), or closed until ``opens_at`` (None: no opening found soon)."""

    open_now: bool
    closes_at: datetime | None = None
    opens_at: datetime | None = None


def hours_on(hours: OpeningHours, day: date, calendar: DayCalendar) -> list[Interval]:
    """Opening intervals on ``day``: none on holidays, ordinary working-day hours on make-up days."""
    if day in calendar.makeup_days:
        return hours.working_week
    if calendar.is_holiday(day):
        return []
    return hours.on(day.weekday())


def opening_status(hours: OpeningHours, now: datetime, calendar: DayCalendar) -> OpeningStatus:
    """Open or closed at ``now`` (a local, timezone-aware time) and the next change."""
    for offset in range(LOOKAHEAD_DAYS):
        day = now.date() + timedelta(days=offset)
        for start, end in hours_on(hours, day, calendar):
            opens = datetime.combine(day, start, tzinfo=now.tzinfo)
            closes = datetime.combine(day, end, tzinfo=now.tzinfo)
            if opens <= now < closes:
                return OpeningStatus(True, closes_at=closes)
            if now < opens:
                return OpeningStatus(False, opens_at=opens)
    return OpeningStatus(False)


def weekly_runs(hours: OpeningHours) -> list[tuple[int, int, list[Interval]]]:
    """Consecutive weekdays with the same hours: ``[(0, 4, [...]), (5, 5, [...])]``; closed days left out."""
    runs: list[tuple[int, int, list[Interval]]] = []
    for weekday in range(7):
        intervals = hours.on(weekday)
        if not intervals:
            continue
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == intervals:
            runs[-1] = (runs[-1][0], weekday, intervals)
        else:
            runs.append((weekday, weekday, intervals))
    return runs
