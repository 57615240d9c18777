"""The office's working-day calendar and local time, as the time and "where" answers need them."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from bot.conversation import Context
from bot.dossiers.calendar import WorkCalendar


@lru_cache(maxsize=8)
def _calendar(tz: str, extra: tuple[date, ...], makeup: tuple[date, ...], saturday: bool, cutoff: time) -> WorkCalendar:
    return WorkCalendar(tz, extra, makeup, saturday, cutoff)


def office_calendar(ctx: Context) -> WorkCalendar:
    """The calendar described by ``[calendar]`` and the office time zone (built once per distinct setting:
    its table of working days is the costly part, and it is safe to share between threads)."""
    cal = ctx.settings.calendar
    return _calendar(ctx.settings.office.timezone, tuple(cal.extra_holidays), tuple(cal.makeup_working_days),
                     cal.working_saturday_morning, cal.same_day_cutoff)


def local_now(ctx: Context) -> datetime:
    """"Now" from the injected clock, in the office time zone."""
    return ctx.clock().astimezone(ctx.settings.zone)
