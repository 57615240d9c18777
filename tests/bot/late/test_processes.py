"""Separate OS processes against one PostgreSQL database and one fake Bot API: exactly one alert each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from telegram import Bot

from bot import clock
from bot.channels.telegram_sender import TelegramSender
from bot.config import Settings
from bot.late.job import enqueue_morning_alerts
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, add_officer
from tests.conftest import postgres_database
from tests.fakes.telegram_api import FakeTelegramAPI

ROOT = Path(__file__).resolve().parents[3]
OFFICERS = 12
CHATS = [7000 + i for i in range(OFFICERS)]


@pytest.fixture
def postgres() -> Iterator[Database]:
    yield from postgres_database()


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as api:
        yield api


def _worker(db: Database, api: FakeTelegramAPI, go: Path, mode: str) -> subprocess.Popen[bytes]:
    url = db.engine.url.render_as_string(hide_password=False)
    now = clock.now().isoformat()  # the worker's clock starts from the test's
    args = [sys.executable, "-m", "tests.bot.late.worker", url, api.base_url, api.token, str(go), mode, now]
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_for(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.02)


def test_two_processes_at_once_send_each_officer_exactly_one_alert(
    postgres: Database, fake_api: FakeTelegramAPI, tmp_path: Path
) -> None:
    for chat in CHATS:
        add_officer(postgres, chat)
    go = tmp_path / "go"
    workers = [_worker(postgres, fake_api, go, "normal") for _ in range(2)]
    go.touch()  # both start enqueueing and sending at the same moment
    assert [w.wait(timeout=60) for w in workers] == [0, 0]
    assert {chat: len(fake_api.messages(chat)) for chat in CHATS} == dict.fromkeys(CHATS, 1)
    with postgres.session() as s:
        statuses = list(s.scalars(select(OutboxMessage.status)))
    assert statuses == [OutboxStatus.SENT.value] * OFFICERS


async def test_a_process_killed_mid_send_loses_and_duplicates_nothing(
    postgres: Database, fake_api: FakeTelegramAPI, tmp_path: Path
) -> None:
    for chat in CHATS:
        add_officer(postgres, chat)
    go = tmp_path / "go"
    worker = _worker(postgres, fake_api, go, "hang")
    go.touch()

    def one_sent_and_stuck() -> bool:
        with postgres.session() as s:
            sent = s.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT.value)).all()
        return go.with_suffix(".hung").exists() and len(sent) == 1

    _wait_for(one_sent_and_stuck)
    worker.kill()  # SIGKILL while the other rows are claimed and "being sent"
    worker.wait(timeout=10)
    # The restarted process: the catch-up enqueue adds nothing, and after the lease the rows are delivered.
    assert enqueue_morning_alerts(postgres, Settings(), MONDAY_0730) == 0
    sender = TelegramSender(Bot(fake_api.token, base_url=fake_api.base_url))
    await sender.start()
    try:
        restarted = Dispatcher(postgres, {"telegram": sender}, global_rate=500, worker_id="restarted")
        assert await restarted.run_once(clock.now()) == 0  # still leased to the dead process
        assert await restarted.run_once(clock.now() + timedelta(minutes=3)) == OFFICERS - 1
    finally:
        await sender.stop()
    assert {chat: len(fake_api.messages(chat)) for chat in CHATS} == dict.fromkeys(CHATS, 1)
