"""Report periods (week, month, quarter) in the office's calendar, and the presets offered in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class PeriodKind(StrEnum):
    """Length of a report period."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in local calendar days."""

    kind: PeriodKind
    start: date
    end: date

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period's local midnights as UTC instants (what is stored in the database)."""
        return (datetime.combine(self.start, time(0), tzinfo=zone).astimezone(UTC),
                datetime.combine(self.end, time(0), tzinfo=zone).astimezone(UTC))

    @property
    def last_day(self) -> date:
        """The last day inside the period."""
        return self.end - timedelta(days=1)


def _month_start(d: date, months_back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def period_of(kind: PeriodKind | str, day: date) -> Period:
    """The week (Monday–Sunday), month or quarter containing ``day``."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7))
    months = 1 if kind is PeriodKind.MONTH else 3
    start = date(day.year, day.month, 1) if months == 1 else date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(kind, start, _month_start(start, -months))


def previous(period: Period) -> Period:
    """The period of the same kind just before ``period``."""
    return period_of(period.kind, period.start - timedelta(days=1))


def last_weeks(until: date, count: int) -> list[Period]:
    """The ``count`` weeks ending with the week containing ``until``, oldest first."""
    week = period_of(PeriodKind.WEEK, until)
    weeks = [week]
    for _ in range(count - 1):
        weeks.append(previous(weeks[-1]))
    return weeks[::-1]


class Preset(StrEnum):
    """Periods offered by /baocao."""

    THIS_WEEK = "tw"
    LAST_WEEK = "lw"
    THIS_MONTH = "tm"
    LAST_MONTH = "lm"
    THIS_QUARTER = "tq"


def preset_period(preset: Preset | str, today: date) -> Period:
    """The period a /baocao button stands for, relative to ``today``."""
    preset = Preset(preset)
    kinds = {Preset.THIS_WEEK: PeriodKind.WEEK, Preset.LAST_WEEK: PeriodKind.WEEK,
             Preset.THIS_MONTH: PeriodKind.MONTH, Preset.LAST_MONTH: PeriodKind.MONTH,
             Preset.THIS_QUARTER: PeriodKind.QUARTER}
    current = period_of(kinds[preset], today)
    return previous(current) if preset in (Preset.LAST_WEEK, Preset.LAST_MONTH) else current


def chart_periods(period: Period, weeks: int) -> list[Period]:
    """The points of the chart of ``period``: its weeks (clipped to it) for a month, its months for a
    quarter, and for a week the ``weeks`` weeks ending with it (one point alone says nothing)."""
    if period.kind is PeriodKind.WEEK:
        return last_weeks(period.start, weeks)
    if period.kind is PeriodKind.QUARTER:
        months, day = [], period.start
        while day < period.end:
            months.append(period_of(PeriodKind.MONTH, day))
            day = months[-1].end
        return months
    points, day = [], period.start
    while day < period.end:
        week = period_of(PeriodKind.WEEK, day)
        points.append(Period(PeriodKind.WEEK, max(week.start, period.start), min(week.end, period.end)))
        day = week.end
    return points
