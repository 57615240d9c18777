"""The morning alert job: one outbox row per active officer per working day.

Exactly-once is enforced by the database, not by assuming one process: each officer's message of a day
has the dedupe key ``alert:{officer id}:{local date}`` and is inserted with ``ON CONFLICT DO NOTHING``. Any
number of processes, restarts or catch-up runs may call :func:`enqueue_morning_alerts` for the same day;
the first insert wins and the others add nothing. Sending is the outbox dispatcher's job.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.clock import as_utc, local_date
from bot.config import Settings
from bot.contract.capabilities import CapabilityLookup, default_lookup
from bot.dossiers.calendar import WorkCalendar
from bot.late.compose import compose_from_report
from bot.late.query import AlertSnapshot
from bot.masking import mask_id
from bot.officers.registry import list_officers, visible_units
from bot.outbox.store import enqueue, exists
from bot.storage.db import Database

log = logging.getLogger(__name__)

KIND = "alert"
COMMIT_EVERY = 100  # officers' alerts written per transaction


def alert_key(officer_id: int, now: datetime, settings: Settings) -> str:
    """The dedupe key of an officer's alert on the office's local day of ``now``."""
    return f"{KIND}:{officer_id}:{local_date(now, settings.zone).isoformat()}"


def is_alert_day(settings: Settings, now: datetime, calendar: WorkCalendar | None = None) -> bool:
    """Whether alerts go out on the local day of ``now`` (alerts enabled and a working day)."""
    calendar = calendar or WorkCalendar.from_settings(settings)
    return settings.alerts.enabled and calendar.is_working_day(local_date(now, settings.zone))


def enqueue_morning_alerts(
    db: Database, settings: Settings, now: datetime, capabilities: CapabilityLookup = default_lookup
) -> int:
    """Enqueue today's alert for every active officer, sized to the officer's channel (``capabilities``);
    how many rows this call added (0 on days off)."""
    calendar = WorkCalendar.from_settings(settings)
    if not is_alert_day(settings, now, calendar):
        log.info("no alerts: %s is not a working day", local_date(now, settings.zone))
        return 0
    with db.session() as session:
        officers = [(o.id, o.channel, o.chat_id, o.language, visible_units(o)) for o in list_officers(
            session, active_only=True)]  # fmt: skip
    added = 0
    snapshot: AlertSnapshot | None = None  # every unit read once, when the first officer still needs an alert
    with db.session() as session:
        for n, (officer_id, channel, chat_id, language, units) in enumerate(officers, 1):
            if units is not None and not units:
                log.warning("officer %d has no units: no alert", officer_id)
                continue
            key = alert_key(officer_id, now, settings)
            if exists(session, key):  # already enqueued today (another process, a restart): skip the report
                continue
            if snapshot is None:
                snapshot = AlertSnapshot(session, now=as_utc(now), calendar=calendar,
                                         soon_days=settings.calendar.soon_days, top=settings.alerts.top_items + 1)
            reply = compose_from_report(snapshot.report(units), settings, units=units, language=language, now=now,
                                        limit=capabilities(channel).max_text)  # fmt: skip
            if enqueue(session, dedupe_key=key, channel=channel, chat_id=chat_id, reply=reply, kind=KIND):
                added += 1
            if n % COMMIT_EVERY == 0:  # keep write locks short; the keys make a re-run after a crash add the rest
                session.commit()
            log.debug("alert for officer %d (chat %s) enqueued", officer_id, mask_id(chat_id))
        session.commit()
    log.info("morning alerts: %d enqueued for %s", added, local_date(now, settings.zone))
    return added


def catch_up(
    db: Database, settings: Settings, now: datetime, capabilities: CapabilityLookup = default_lookup
) -> int:
    """At start-up: if today's alert time has passed on a working day, enqueue today's alerts (idempotent).

    Only today: a process that was down all of yesterday does not send yesterday's list, which would be
    out of date.
    """
    local = as_utc(now).astimezone(settings.zone)
    if local.time() < settings.alerts.time:
        return 0
    return enqueue_morning_alerts(db, settings, now, capabilities)
