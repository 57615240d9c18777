"""The office's working-day calendar and local time, as the time and "where" answers need them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.dossiers.calendar import WorkCalendar
from handlers.context import Context


def office_calendar(ctx: Context) -> WorkCalendar:
    """The calendar described by ``[calendar]`` and the office time zone."""
    return WorkCalendar.from_settings(ctx.settings)


def local_now(ctx: Context) -> datetime:
    """"Now" from the injected clock, in the office time zone."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.office.timezone))
