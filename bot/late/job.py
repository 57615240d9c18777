"""The morning alert job: one outbox row per active officer per working day.

Exactly-once is enforced by the database, not by assuming one process: each officer's message of a day
has the dedupe key ``alert:{officer id}:{local date}`` and is inserted with ``ON CONFLICT DO NOTHING``. Any
number of processes, restarts or catch-up runs may call :func:`enqueue_morning_alerts` for the same day;
the first insert wins and the others add nothing. Sending is the outbox dispatcher's job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.clock import as_utc, local_date
from bot.config import Settings
from bot.contract.capabilities import CapabilityLookup, default_lookup
from bot.contract.messages import Reply
from bot.dossiers.calendar import WorkCalendar
from bot.late.compose import compose_from_report
from bot.late.query import AlertSnapshot
from bot.masking import mask_id
from bot.officers.registry import list_officers, visible_units
from bot.outbox.store import Outgoing, enqueue_many, existing_keys
from bot.storage.db import Database

log = logging.getLogger(__name__)

KIND = "alert"


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
    how many rows this call added (0 on days off).

    Every unit is read once (:class:`AlertSnapshot`), each distinct view (units, language, text limit) is
    rendered once, and the rows go to the outbox in one multi-row insert, in one short write transaction."""
    calendar = WorkCalendar.from_settings(settings)
    if not is_alert_day(settings, now, calendar):
        log.info("no alerts: %s is not a working day", local_date(now, settings.zone))
        return 0
    with db.session() as session:
        officers = [_Recipient(o.id, o.channel, o.chat_id, o.language, visible_units(o), alert_key(o.id, now, settings))
                    for o in list_officers(session, active_only=True)]  # fmt: skip
        for officer in officers:
            if officer.units == []:
                log.warning("officer %d has no units: no alert", officer.id)
        done = existing_keys(session, [o.key for o in officers])  # enqueued already (another process, a restart)
        todo = [o for o in officers if o.units != [] and o.key not in done]
        if not todo:
            return 0
        snapshot = AlertSnapshot(session, now=as_utc(now), calendar=calendar, soon_days=settings.calendar.soon_days,
                                 top=settings.alerts.top_items + 1)  # fmt: skip
    replies: dict[tuple[tuple[str, ...] | None, str, int], Reply] = {}
    messages = []
    for officer in todo:
        limit = capabilities(officer.channel).max_text
        view = (None if officer.units is None else tuple(officer.units), officer.language, limit)
        if view not in replies:
            replies[view] = compose_from_report(snapshot.report(officer.units), settings, units=officer.units,
                                                language=officer.language, now=now, limit=limit)  # fmt: skip
        messages.append(Outgoing(officer.key, officer.channel, officer.chat_id, replies[view], KIND))
    with db.session() as session:  # the keys make concurrent runs and a re-run after a crash add nothing twice
        added = enqueue_many(session, messages)
        session.commit()
    for officer in todo:
        if officer.key in added:
            log.debug("alert for officer %d (chat %s) enqueued", officer.id, mask_id(officer.chat_id))
    log.info("morning alerts: %d enqueued for %s", len(added), local_date(now, settings.zone))
    return len(added)


@dataclass(frozen=True, slots=True)
class _Recipient:
    """An active officer as the job needs it (read before the session closes)."""

    id: int
    channel: str
    chat_id: str
    language: str
    units: list[str] | None
    key: str


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
