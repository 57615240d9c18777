"""One page of the late-dossier list for an officer's units, from the database (``/trehan`` and the alert)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.clock import as_utc, local_date
from bot.config import Settings
from bot.contract.messages import Reply
from bot.dossiers.calendar import WorkCalendar
from bot.late.message import MAX_TEXT, AlertView, alert_reply
from bot.late.query import AlertReport, alert_report


def compose_alert(
    session: Session,
    settings: Settings,
    *,
    units: Sequence[str] | None,
    language: str,
    now: datetime,
    page: int = 1,
    calendar: WorkCalendar | None = None,
    limit: int = MAX_TEXT,
) -> Reply:
    """Page ``page`` of the list for ``units`` (None = every unit) at ``now``, at most ``limit`` characters."""
    size = settings.alerts.top_items
    report = alert_report(
        session,
        units=None if units is None else list(units),
        now=as_utc(now),
        calendar=calendar or WorkCalendar.from_settings(settings),
        soon_days=settings.calendar.soon_days,
        top=page * size + 1,  # one more than shown tells whether a next page exists
    )
    return compose_from_report(report, settings, units=units, language=language, now=now, page=page, limit=limit)


def compose_from_report(
    report: AlertReport,
    settings: Settings,
    *,
    units: Sequence[str] | None,
    language: str,
    now: datetime,
    page: int = 1,
    limit: int = MAX_TEXT,
) -> Reply:
    """The page of an already computed report (the morning job reads every unit once)."""
    view = AlertView(
        language=language,
        zone=settings.zone,
        today=local_date(now, settings.zone),
        units=None if units is None else list(units),
        page=page,
        page_size=settings.alerts.top_items,
        limit=limit,
    )
    return alert_reply(report, view)
