"""Working-day calendar of a Vietnamese office: due dates and lateness counted in working days.

Conventions (all in the office time zone, Asia/Ho_Chi_Minh by default):

* A working day is Monday–Friday, plus Saturday when ``saturday_morning`` is on, minus Vietnamese public
  holidays (``holidays`` package, lunar Tết included) and the office's ``extra_holidays``; a date in
  ``makeup_days`` (ngày làm bù) is always a working day.
* Counting starts on the day of receipt when it is a working day and the dossier arrived before the
  cutoff (15:00) and before the office closed that day (11:30 on a working Saturday); otherwise on the next
  working day. That day is day 1, so a 1-day procedure received at
  10:00 is due the same day, received at 15:30 it is due the next working day.
* A due date is the end of the working day: 17:00, or 11:30 on a working Saturday morning.
* Naive datetimes are taken as UTC (that is how the database stores them).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

from bot.catalog.model import Duration, TimeUnit
from bot.clock import as_utc
from bot.config import Settings

UrgencyKind = Literal["overdue", "due_today", "due_soon", "on_time"]


@dataclass(frozen=True, slots=True)
class Urgency:
    """How urgent an open dossier is: overdue by / due in ``working_days`` working days."""

    kind: UrgencyKind
    working_days: int


@dataclass(frozen=True, slots=True)
class AlertBounds:
    """UTC instants splitting due times into overdue / due today / due soon / on time."""

    now: datetime
    today_end: datetime
    soon_end: datetime


@dataclass(frozen=True, slots=True)
class _DayTable:
    """``cum[i]`` = working days in [base, base + i): counts between dates in O(1)."""

    base: date
    cum: list[int]

    @property
    def end(self) -> date:
        return self.base + timedelta(days=max(len(self.cum) - 1, 0))

    def covers(self, first: date, last: date) -> bool:
        return bool(self.cum) and self.base <= first and last < self.end

    def before(self, d: date) -> int:
        """Working days in [base, d)."""
        return self.cum[(d - self.base).days]



def _add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class WorkCalendar:
    """Working days, due dates and urgency of dossiers for one office."""

    def __init__(
        self,
        tz: str | ZoneInfo = "Asia/Ho_Chi_Minh",
        extra_holidays: Iterable[date] = (),
        makeup_days: Iterable[date] = (),
        saturday_morning: bool = False,
        cutoff: time = time(15, 0),
        *,
        end_of_day: time = time(17, 0),
        saturday_end: time = time(11, 30),
    ) -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        self.extra_holidays = frozenset(extra_holidays)
        self.makeup_days = frozenset(makeup_days)
        self.saturday_morning = saturday_morning
        self.cutoff = cutoff
        self.end_of_day = end_of_day
        self.saturday_end = saturday_end
        self._public = holidays.country_holidays("VN")
        self._days = _DayTable(date(2000, 1, 1), [])

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        """The calendar described by ``[calendar]`` and ``office.timezone`` in config.toml.

        Shared by every caller with the same settings: building one (holidays, day table) costs
        milliseconds, far more than a chat turn may spend; a calendar is safe to share between threads."""
        cal = settings.calendar
        return _shared_calendar(
            settings.office.timezone,
            frozenset(cal.extra_holidays),
            frozenset(cal.makeup_working_days),
            cal.working_saturday_morning,
            cal.same_day_cutoff,
        )

    # --- days -------------------------------------------------------------------------------------

    def is_holiday(self, d: date) -> bool:
        """A public holiday or an extra day off of the office."""
        return d in self.extra_holidays or d in self._public

    def is_working_day(self, d: date) -> bool:
        """Whether the office works (and the deadline clock runs) on ``d``."""
        if d in self.makeup_days:
            return True
        if self.is_holiday(d):
            return False
        wd = d.weekday()
        return wd < 5 or (wd == 5 and self.saturday_morning)

    def _table(self, first: date, last: date) -> _DayTable:
        """A cumulative table covering ``first``..``last`` (whole years with margin), built when needed.

        The table is replaced as a whole, so threads sharing the calendar always read a consistent one."""
        table = self._days
        if table.covers(first, last):
            return table
        lo, hi = (min(first, table.base), max(last, table.end)) if table.cum else (first, last)
        base, stop = date(lo.year - 1, 1, 1), date(hi.year + 2, 1, 1)
        self._public = holidays.country_holidays("VN", years=range(base.year, stop.year + 1))
        cum = [0]
        d, one = base, timedelta(days=1)
        while d < stop:
            cum.append(cum[-1] + self.is_working_day(d))
            d += one
        self._days = table = _DayTable(base, cum)
        return table

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when b ≥ a; minus the working days in (b, a] otherwise."""
        if b < a:
            return -self.working_days_between(b, a)
        table = self._table(a, b + timedelta(days=1))
        return table.before(b + timedelta(days=1)) - table.before(a + timedelta(days=1))

    def _nth_working_day(self, first: date, n: int) -> date:
        """The ``n``-th working day counting ``first`` (a working day) as the first."""
        last = first + timedelta(days=2 * n + 60)
        while True:
            table = self._table(first, last)
            i = bisect_left(table.cum, table.before(first) + n)
            if i < len(table.cum):
                return table.base + timedelta(days=i - 1)
            last += timedelta(days=366)  # very long spans: grow the table and retry

    # --- due dates --------------------------------------------------------------------------------

    def end_of(self, d: date) -> datetime:
        """The end of the working day ``d`` in local time (17:00, or the Saturday-morning close)."""
        closes = self.saturday_end if d.weekday() == 5 and d not in self.makeup_days else self.end_of_day
        return datetime.combine(d, closes, tzinfo=self.tz)

    def cutoff_on(self, d: date) -> time:
        """The time before which a dossier received on the working day ``d`` counts from ``d``: the cutoff, or
        the day's close when that is earlier (a working Saturday closes at 11:30, before the 15:00 cutoff)."""
        return min(self.cutoff, self.end_of(d).time())

    def first_counting_day(self, start: datetime) -> date:
        """Day 1 of a deadline: the day of receipt if it is a working day before ``cutoff_on`` it, else the next."""
        local = as_utc(start).astimezone(self.tz)
        d = local.date()
        if self.is_working_day(d) and local.time() < self.cutoff_on(d):
            return d
        return self.next_working_day(d)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Due time of a ``days``-working-day deadline starting at ``start`` (see the module conventions).

        ``days <= 0`` means the result is due at once: ``start`` itself (in local time)."""
        if days <= 0:
            return as_utc(start).astimezone(self.tz)
        return self.end_of(self._nth_working_day(self.first_counting_day(start), days))

    def roll_forward(self, d: date) -> datetime:
        """End of ``d``, or of the next working day when ``d`` is a day off."""
        return self.end_of(d if self.is_working_day(d) else self.next_working_day(d))

    def due_from_duration(self, received_at: datetime, duration: Duration) -> datetime | None:
        """Due time from a catalog processing time; ``None`` when the catalog gives no number.

        Working days (and numbers without a unit, which in procedure texts are working days) follow
        :meth:`add_working_days`; calendar days and months end on the same local date later, moved to the
        next working day when that is a day off; hours are clock hours."""
        if duration.amount is None:
            return None
        amount = duration.amount
        local = as_utc(received_at).astimezone(self.tz)
        if duration.unit in (TimeUnit.WORKING_DAYS, None):
            return self.add_working_days(received_at, math.ceil(amount))
        if duration.unit is TimeUnit.HOURS:
            return local + timedelta(hours=amount)
        if duration.unit is TimeUnit.DAYS:
            return self.roll_forward(local.date() + timedelta(days=math.ceil(amount)))
        return self.roll_forward(_add_months(local.date(), math.ceil(amount)))

    # --- urgency ----------------------------------------------------------------------------------

    def _start_of(self, d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=self.tz).astimezone(UTC)

    def alert_bounds(self, now: datetime, soon_days: int) -> AlertBounds:
        """Boundaries matching :meth:`classify`: due before ``now`` → overdue; before ``today_end`` → due
        today; before ``soon_end`` (the next working day after the ``soon_days``-th one) → due soon."""
        today = as_utc(now).astimezone(self.tz).date()
        last_soon = today
        for _ in range(soon_days):
            last_soon = self.next_working_day(last_soon)
        return AlertBounds(
            now=as_utc(now).astimezone(UTC),
            today_end=self._start_of(today + timedelta(days=1)),
            soon_end=self._start_of(self.next_working_day(last_soon)),
        )

    def classify(self, due_at: datetime, now: datetime, soon_days: int) -> Urgency:
        """On time, due today, due within ``soon_days`` working days, or overdue by K working days
        (at least 1 once the due time has passed)."""
        due_at, now = as_utc(due_at), as_utc(now)
        today = now.astimezone(self.tz).date()
        due_day = due_at.astimezone(self.tz).date()
        if due_at < now:
            return Urgency("overdue", max(1, self.working_days_between(due_day, today)))
        if due_day == today:
            return Urgency("due_today", 0)
        ahead = self.working_days_between(today, due_day)
        if ahead <= soon_days:
            return Urgency("due_soon", max(1, ahead))
        return Urgency("on_time", ahead)


@lru_cache(maxsize=8)
def _shared_calendar(
    tz: str, extra: frozenset[date], makeup: frozenset[date], saturday_morning: bool, cutoff: time
) -> WorkCalendar:
    """One calendar per distinct configuration (``WorkCalendar.from_settings``)."""
    return WorkCalendar(tz, extra, makeup, saturday_morning, cutoff)
