"""The outbox through the real python-telegram-bot Bot and the fake Bot API: 429, 500, 403, 400."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.channels.telegram_sender import TelegramSender
from bot.contract.messages import Attachment, Choice, Reply
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.store import enqueue
from bot.storage.db import Database
from tests.bot.late.factory import secret_key  # noqa: F401  (autouse)
from tests.bot.outbox.test_dispatch import FakeClock
from tests.conftest import FROZEN_AT
from tests.fakes.telegram_api import FakeTelegramAPI

NOW = FROZEN_AT

# rows are stamped by the process-wide clock: stop it at NOW, whatever the date the suite runs on
pytestmark = pytest.mark.usefixtures("manual_clock")
CHAT = 5151


@pytest.fixture
def fake_api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
async def sender(fake_api: FakeTelegramAPI) -> AsyncIterator[TelegramSender]:
    telegram = TelegramSender(Bot(fake_api.token, base_url=fake_api.base_url))
    await telegram.start()
    yield telegram
    await telegram.stop()


def _dispatcher(db: Database, sender: TelegramSender) -> Dispatcher:
    clock = FakeClock(real_fraction=0)
    return Dispatcher(db, {"telegram": sender}, base_backoff=4.0, rng=random.Random(1), clock=clock,
                      sleep=clock.sleep)  # fmt: skip


def _enqueue(db: Database, reply: Reply, chat: int = CHAT) -> None:
    with db.session() as s:
        enqueue(s, dedupe_key=f"t:{chat}", channel="telegram", chat_id=str(chat), reply=reply, kind="alert")
        s.commit()


def _row(db: Database) -> OutboxMessage:
    with db.session() as s:
        return s.scalars(select(OutboxMessage)).one()


async def test_text_keyboard_and_csv_are_rendered_by_the_adapter(
    database: Database, fake_api: FakeTelegramAPI, sender: TelegramSender
) -> None:
    csv = Attachment("ho-so.csv", "\ufeffMã hồ sơ\n".encode(), "text/csv")
    _enqueue(database, Reply(text="<b>Quá hạn: 1</b>", choices=[[Choice("▶️ Trang sau", "th:2")]], attachments=[csv]))
    assert await _dispatcher(database, sender).run_once(NOW) == 1
    text, document = fake_api.messages(CHAT)
    assert text.text == "<b>Quá hạn: 1</b>" and text.parse_mode == "HTML" and text.button_data == ["th:2"]
    assert document.method == "sendDocument" and document.filename == "ho-so.csv"


async def test_429_retry_after_is_honoured_then_sent(
    database: Database, fake_api: FakeTelegramAPI, sender: TelegramSender
) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=17)
    _enqueue(database, Reply(text="sáng nay"))
    dispatcher = _dispatcher(database, sender)
    assert await dispatcher.run_once(NOW) == 0
    row = _row(database)
    assert row.status == OutboxStatus.PENDING.value and "429" in row.last_error
    wait = row.next_attempt_at.replace(tzinfo=UTC) - NOW
    assert timedelta(seconds=17) <= wait < timedelta(seconds=18)
    assert await dispatcher.run_once(NOW + timedelta(seconds=16)) == 0  # not before retry_after
    assert await dispatcher.run_once(NOW + wait) == 1
    assert [m.text for m in fake_api.messages(CHAT)] == ["sáng nay"]
    assert len(fake_api.calls_to("sendMessage")) == 2


async def test_500s_are_retried_with_backoff(
    database: Database, fake_api: FakeTelegramAPI, sender: TelegramSender
) -> None:
    fake_api.fail_next("sendMessage", times=2, status=500)
    _enqueue(database, Reply(text="sáng nay"))
    dispatcher = _dispatcher(database, sender)
    now = NOW
    for expected_ceiling in (4, 8):
        assert await dispatcher.run_once(now) == 0
        row = _row(database)
        wait = (row.next_attempt_at.replace(tzinfo=UTC) - now).total_seconds()
        # backoff with jitter, after the 1 s the chat's own rate limit added before this attempt
        assert expected_ceiling / 2 <= wait <= expected_ceiling + 1 and row.status == OutboxStatus.PENDING.value
        now += timedelta(seconds=wait)
    assert await dispatcher.run_once(now) == 1
    assert [m.text for m in fake_api.messages(CHAT)] == ["sáng nay"] and _row(database).attempts == 3


@pytest.mark.parametrize(
    ("status", "description"),
    [(403, "Forbidden: bot was blocked by the user"), (400, "Bad Request: Chat not found")],
)
async def test_blocked_or_missing_chat_fails_for_good(
    database: Database, fake_api: FakeTelegramAPI, sender: TelegramSender, status: int, description: str
) -> None:
    fake_api.fail_next("sendMessage", status=status, description=description)
    _enqueue(database, Reply(text="sáng nay"))
    dispatcher = _dispatcher(database, sender)
    assert await dispatcher.run_once(NOW) == 0
    assert await dispatcher.run_once(NOW + timedelta(days=1)) == 0
    row = _row(database)
    assert row.status == OutboxStatus.FAILED.value and description.split(": ")[1] in row.last_error
    assert len(fake_api.calls_to("sendMessage")) == 1
