"""The scheduler: the cron runs Monday–Saturday at the alert time in the office zone; delivery runs in the
background."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.contract.messages import Reply
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.store import enqueue
from bot.scheduler import Scheduler, alert_trigger
from bot.schema import create_schema
from bot.storage.db import Database
from tests.bot.late.factory import HCM, secret_key, settings  # noqa: F401  (autouse)
from tests.bot.outbox.senders import RecordingSender


def test_cron_fires_at_0730_office_time_monday_to_saturday() -> None:
    trigger = alert_trigger(settings())
    friday_evening = datetime(2026, 11, 20, 18, 0, tzinfo=HCM)
    saturday = trigger.get_next_fire_time(None, friday_evening)
    monday = trigger.get_next_fire_time(saturday, saturday.replace(hour=8))
    assert saturday == datetime(2026, 11, 21, 7, 30, tzinfo=HCM)
    assert monday == datetime(2026, 11, 23, 7, 30, tzinfo=HCM)  # Sunday skipped; the job checks holidays itself


def test_background_delivery_starts_and_stops(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    create_schema(db)
    with db.session() as s:
        enqueue(s, dedupe_key="k", channel="telegram", chat_id="1", reply=Reply(text="chào"))
        s.commit()
    sender = RecordingSender()
    scheduler = Scheduler(db, settings(), {"telegram": sender})
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while not sender.sent and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scheduler.shutdown()
    assert sender.sent == [("1", "chào")]
    with db.session() as s:
        assert s.scalars(select(OutboxMessage.status)).one() == OutboxStatus.SENT.value
    assert scheduler.cron.get_job("morning-alert") is None  # shut down with the scheduler
    db.dispose()
