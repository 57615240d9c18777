"""Time zones for the alert: the office's local day, and UTC for everything stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.dossiers.values import as_utc


def office_zone(settings: Settings) -> ZoneInfo:
    """The office's time zone (``office.timezone``)."""
    return ZoneInfo(settings.office.timezone)


def local_date(settings: Settings, now: datetime) -> date:
    """The office's calendar day at ``now``."""
    return (as_utc(now) or now).astimezone(office_zone(settings)).date()


def at_local(settings: Settings, day: date, clock: time) -> datetime:
    """``day`` at ``clock`` in the office's time zone, as UTC."""
    return datetime.combine(day, clock, tzinfo=office_zone(settings)).astimezone(UTC)
