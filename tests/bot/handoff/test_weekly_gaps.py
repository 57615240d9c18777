"""The weekly summary of unanswered questions: to every administrator, once per ISO week, anonymised."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.handoff.gaps import log_gap
from bot.handoff.models import GapKind
from bot.handoff.summary import enqueue_weekly_gaps
from bot.officers.models import Officer, Role
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.conftest import FROZEN_AT


def test_weekly_summary_once_per_week_to_admins(database: Database, manual_clock: ManualClock) -> None:
    with database.session() as s:
        s.add_all([
            Officer(channel="telegram", user_id="a1", chat_id="a1", role=Role.ADMIN.value, units=[]),
            Officer(channel="zalo_bot", user_id="o1", chat_id="o1", role=Role.OFFICER.value, units=["X"]),
        ])  # fmt: skip
        for phone in ("0912345678", "0987654321"):
            log_gap(s, GapKind.NOT_FOUND, f"Tôi là Lê Văn Tám {phone}, xin phép bắn pháo hoa đám cưới", ["1.000894"],
                    manual_clock.now() - timedelta(days=1))  # fmt: skip
        s.commit()
    settings = Settings()
    assert enqueue_weekly_gaps(database, settings, manual_clock.now()) == 1
    assert enqueue_weekly_gaps(database, settings, manual_clock.now() + timedelta(hours=5)) == 0
    with database.session() as s:
        (row,) = s.scalars(select(OutboxMessage)).all()
    assert row.chat_id == "a1" and "(2) " in row.text and "pháo hoa" in row.text and "1.000894" in row.text
    assert "0912345678" not in row.text and "Tám" not in row.text
    manual_clock.set(FROZEN_AT + timedelta(days=7))
    assert enqueue_weekly_gaps(database, settings, manual_clock.now()) == 1
