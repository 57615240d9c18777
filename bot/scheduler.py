"""Background work of a running assistant: the morning alert at ``alerts.time``, the weekly report to unit
leaders at ``reports.weekly_time`` and outbox delivery.

APScheduler's ``BackgroundScheduler`` (a thread) is used rather than ``AsyncIOScheduler`` because the
assistant runs under three different loops — the console reads stdin synchronously, PTB's
``run_polling`` owns its event loop, the webhook server runs under ``asyncio.run`` — and the scheduler must
work the same under each. The outbox dispatcher, which is async, gets its own thread and event loop (and
its own ``telegram.Bot``), so slow deliveries never hold up the chat.

The cron fires Monday–Saturday in the office time zone; the job itself asks the calendar whether today is a
working day, so Tết, other holidays and make-up Saturdays follow ``[calendar]``, not the cron. Missing the
07:30 run (the process was down) is handled by :func:`bot.late.job.catch_up` at start-up, same day only.
Running several processes is safe: the enqueue is exactly-once per officer and day in the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import clock
from bot.channels.base import Channel
from bot.channels.registry import started
from bot.config import Settings
from bot.contract.capabilities import CapabilityLookup, default_lookup
from bot.late.job import catch_up, enqueue_morning_alerts
from bot.outbox.budget import SharedBudget
from bot.outbox.dispatch import SERVICE_LEASE, Dispatcher, Limiter, RateLimiter
from bot.retention import purge
from bot.storage.db import Database

log = logging.getLogger(__name__)

JOB_ID = "morning-alert"
WEEKLY_JOB_ID = "weekly-report"
PURGE_JOB_ID = "privacy-purge"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AssistantLike(Protocol):
    """What the scheduler needs from ``bot.app.Assistant``."""

    @property
    def db(self) -> Database:
        """The shared database."""
        ...

    @property
    def settings(self) -> Settings:
        """The office settings."""
        ...


def alert_trigger(settings: Settings) -> CronTrigger:
    """Monday–Saturday at ``alerts.time`` in the office time zone (the job checks the working-day calendar)."""
    at = settings.alerts.time
    return CronTrigger(day_of_week="mon-sat", hour=at.hour, minute=at.minute, second=at.second,
                       timezone=settings.zone)  # fmt: skip


def purge_trigger(settings: Settings) -> CronTrigger:
    """Every night at ``[privacy].purge_time`` in the office's time zone."""
    at = settings.privacy.purge_time
    return CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.zone)


def weekly_trigger(settings: Settings) -> CronTrigger:
    """``reports.weekly_weekday`` at ``reports.weekly_time`` in the office time zone."""
    at = settings.reports.weekly_time
    return CronTrigger(day_of_week=_WEEKDAYS[settings.reports.weekly_weekday], hour=at.hour, minute=at.minute,
                       second=at.second, timezone=settings.zone)  # fmt: skip


class Scheduler:
    """The alert cron and the outbox delivery thread; ``shutdown()`` stops both."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        senders: Mapping[str, Channel],
        capabilities: CapabilityLookup = default_lookup,
    ) -> None:
        self.db = db
        self.settings = settings
        self.senders = dict(senders)
        self.capabilities = capabilities
        self.cron = BackgroundScheduler(timezone=settings.zone)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        #: Whether this scheduler runs the outbox dispatcher.
        self.deliver = True

    def start(self) -> None:
        """Catch up on a missed run of today, schedule the next ones and start delivering."""
        if self.settings.alerts.enabled:
            self.cron.add_job(
                self.morning_alert, alert_trigger(self.settings), id=JOB_ID, coalesce=True,
                misfire_grace_time=3600, max_instances=1, replace_existing=True,
            )  # fmt: skip
            self.cron.add_job(self.catch_up, id="catch-up")  # runs at once, in the scheduler's thread
        if self.settings.handoff.weekly_gaps:
            self.cron.add_job(
                self.weekly_gaps, weekly_trigger(self.settings), id="handoff-gaps", coalesce=True,
                misfire_grace_time=6 * 3600, max_instances=1, replace_existing=True,
            )  # fmt: skip
        if self.settings.reports.weekly_enabled:
            self.cron.add_job(
                self.weekly_report, weekly_trigger(self.settings), id=WEEKLY_JOB_ID, coalesce=True,
                misfire_grace_time=6 * 3600, max_instances=1, replace_existing=True,
            )  # fmt: skip
        if self.settings.handoff.enabled:
            self.cron.add_job(
                self.handoff_reminders, IntervalTrigger(minutes=self.settings.handoff.reminder_minutes),
                id="handoff-reminders", coalesce=True, max_instances=1, replace_existing=True,
            )  # fmt: skip
        self.cron.add_job(
            self.purge_personal_data, purge_trigger(self.settings), id=PURGE_JOB_ID, coalesce=True,
            misfire_grace_time=12 * 3600, max_instances=1, replace_existing=True,
        )  # fmt: skip
        self.cron.start()
        if not self.deliver:
            return
        self._thread = threading.Thread(target=self._deliver, name="outbox-dispatcher", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def morning_alert(self) -> int:
        """The cron job: enqueue today's alerts (nothing on a day off)."""
        try:
            return enqueue_morning_alerts(self.db, self.settings, clock.now(), self.capabilities)
        except Exception:
            log.exception("morning alert job failed")
            return 0

    def weekly_report(self) -> int:
        """The weekly cron job: one report with its chart per unit leader (exactly once per ISO week)."""
        from bot.reports.weekly import enqueue_weekly_reports

        try:
            return enqueue_weekly_reports(self.db, self.settings, clock.now(), self.capabilities)
        except Exception:
            log.exception("weekly report job failed")
            return 0

    def handoff_reminders(self) -> int:
        """The interval job: questions waiting for an officer, reminders about overdue ones."""
        from bot.handoff.reminders import run_reminders

        try:
            return run_reminders(self.db, self.settings, clock.now())
        except Exception:
            log.exception("hand-off reminder job failed")
            return 0

    def weekly_gaps(self) -> int:
        """The weekly cron job: unanswered questions summarised for administrators."""
        from bot.handoff.summary import enqueue_weekly_gaps

        try:
            return enqueue_weekly_gaps(self.db, self.settings, clock.now())
        except Exception:
            log.exception("weekly gaps summary failed")
            return 0
    def purge_personal_data(self) -> int:
        """The nightly job: blank names and complaint texts past their retention ([privacy])."""
        try:
            done = purge(self.db, self.settings.privacy, clock.now())
        except Exception:
            log.exception("personal data purge failed")
            return 0
        log.info("privacy purge: %d applicant names, %d ratings, %d complaint answers, %d questions, %d inbox updates",
                 done.applicant_names, done.ratings, done.complaint_answers, done.questions, done.inbox_updates)
        return done.applicant_names + done.ratings + done.complaint_answers + done.questions + done.inbox_updates

    def catch_up(self) -> int:
        """Start-up: send today's alerts if their time has passed and they were not enqueued yet."""
        try:
            return catch_up(self.db, self.settings, clock.now(), self.capabilities)
        except Exception:
            log.exception("morning alert catch-up failed")
            return 0

    def _deliver(self) -> None:
        asyncio.run(self._deliver_async())

    async def _deliver_async(self) -> None:
        self._loop, self._stop, self._wake = asyncio.get_running_loop(), asyncio.Event(), asyncio.Event()
        self._ready.set()
        async with started(self.senders) as senders:
            await service_dispatcher(self.db, senders, self.settings).run_forever(self._stop, wake=self._wake)

    def wake_outbox(self) -> None:
        """New messages are in the outbox: look at once (thread-safe; the inbox worker calls it)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop the cron; the dispatcher finishes the sends in flight and gives back the rows not started."""
        self.cron.shutdown(wait=False)
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)


def service_dispatcher(db: Database, senders: Mapping[str, Channel], settings: Settings) -> Dispatcher:
    """The outbox dispatcher of a running service: leases renewed, the ``[outbox]`` rate shared by every
    process through PostgreSQL (SQLite has one process: its limiter is in memory, sparing a write per
    message that the webhooks' inserts would wait for)."""
    outbox = settings.outbox
    limiter: Limiter = RateLimiter(outbox.rate, outbox.per_chat_seconds)  # SQLite: one serve process
    if db.engine.dialect.name == "postgresql":
        limiter = SharedBudget(db, outbox.rate, outbox.per_chat_seconds)
    return Dispatcher(db, senders, limiter=limiter, lease=SERVICE_LEASE, batch_size=outbox.batch_size)


def start_scheduler(
    assistant: AssistantLike, senders: Mapping[str, Channel], capabilities: CapabilityLookup = default_lookup,
    *, deliver: bool = True,
) -> Scheduler:  # fmt: skip
    """Start the morning alert cron (with today's catch-up) and — unless another process of the service
    delivers (``serve``: the answering process) — outbox delivery for ``assistant``."""
    scheduler = Scheduler(assistant.db, assistant.settings, senders, capabilities)
    scheduler.deliver = deliver
    scheduler.start()
    return scheduler
