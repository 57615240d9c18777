"""One officer's alert from the database: the message page and the CSV file of the whole list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.alerts.clock import local_date, office_zone
from bot.alerts.message import AlertView, alert_reply
from bot.config import Settings
from bot.dossiers.alerts import alert_csv, alert_report, iter_alert_rows
from bot.dossiers.calendar import WorkCalendar
from bot.dossiers.values import as_utc
from handlers.messages import Attachment, Reply

CSV_MIME = "text/csv"


def compose_alert(
    session: Session,
    settings: Settings,
    *,
    units: Sequence[str] | None,
    language: str,
    now: datetime,
    page: int = 1,
    calendar: WorkCalendar | None = None,
) -> Reply:
    """Page ``page`` of the alert for ``units`` (None = every unit) at ``now``."""
    size = settings.alerts.top_items
    report = alert_report(
        session,
        units=None if units is None else list(units),
        now=as_utc(now),
        calendar=calendar or WorkCalendar.from_settings(settings),
        soon_days=settings.calendar.soon_days,
        top=page * size + 1,  # one more than shown tells whether a next page exists
    )
    view = AlertView(
        language=language,
        zone=office_zone(settings),
        today=local_date(settings, now),
        units=None if units is None else list(units),
        page=page,
        page_size=size,
    )
    return alert_reply(report, view)


def compose_csv(
    session: Session,
    settings: Settings,
    *,
    units: Sequence[str] | None,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> Attachment:
    """The whole list of urgent dossiers of ``units`` as a CSV attachment."""
    rows = iter_alert_rows(
        session,
        None if units is None else list(units),
        as_utc(now),
        calendar or WorkCalendar.from_settings(settings),
        settings.calendar.soon_days,
    )
    name = f"ho-so-tre-han-{local_date(settings, now).isoformat()}.csv"
    return Attachment(filename=name, content=alert_csv(rows), mime_type=CSV_MIME)
