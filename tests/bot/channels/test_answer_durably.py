"""``answer_durably``: an event's claim and its replies are recorded together before anything is sent, so a
process killed at any moment loses no reply (both databases, a frozen clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.base import INLINE_LEASE, _record, answer_durably
from bot.clock import ManualClock
from bot.contract.messages import Reply
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.sender import RetryLater
from bot.storage.conversations import UpdateLog
from bot.storage.db import Database
from tests.bot.outbox.senders import RecordingSender

pytestmark = pytest.mark.usefixtures("manual_clock")
REPLIES = [Reply(text="first"), Reply(text="second")]


class Channel(RecordingSender):
    """A recording sender with a channel's name."""

    name = "telegram"


def _rows(db: Database) -> list[OutboxMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_sent_replies_are_recorded_sent_and_a_redelivery_is_ignored(database: Database) -> None:
    channel, updates = Channel(), UpdateLog(database)
    assert await answer_durably(channel, updates, "c1", REPLIES, "u1")  # type: ignore[arg-type]
    assert channel.sent == [("c1", "first"), ("c1", "second")]
    assert [r.status for r in _rows(database)] == [OutboxStatus.SENT.value] * 2
    assert updates.seen("telegram", "u1")
    assert not await answer_durably(channel, updates, "c1", REPLIES, "u1")  # type: ignore[arg-type]
    assert len(channel.sent) == 2


async def test_a_process_killed_after_recording_loses_nothing(database: Database, manual_clock: ManualClock) -> None:
    updates = UpdateLog(database)
    assert _record(updates, "telegram", "c1", REPLIES, "u2") is not None  # …and the process dies here
    sender = RecordingSender()
    other = Dispatcher(database, {"telegram": sender}, per_chat_interval=0, clock=manual_clock.monotonic,
                       sleep=manual_clock.sleep)  # the frozen clock moves when the rate limiter sleeps
    assert await other.run_once(manual_clock.now() + INLINE_LEASE - timedelta(seconds=1)) == 0, "still leased"
    assert await other.run_once(manual_clock.now() + INLINE_LEASE + timedelta(seconds=1)) == 2
    assert sender.sent == [("c1", "first"), ("c1", "second")]


async def test_a_deferred_reply_is_left_to_the_dispatcher(database: Database, manual_clock: ManualClock) -> None:
    def busy(chat: str, attempt: int) -> None:
        if attempt == 2:
            raise RetryLater("429", retry_after=5)

    channel = Channel(script=busy)
    assert await answer_durably(channel, UpdateLog(database), "c1", REPLIES, "u3")  # type: ignore[arg-type]
    first, second = _rows(database)
    assert first.status == OutboxStatus.SENT.value and second.status == OutboxStatus.PENDING.value
    sender = RecordingSender()
    assert await Dispatcher(database, {"telegram": sender}).run_once(manual_clock.now() + timedelta(seconds=6)) == 1
    assert sender.sent == [("c1", "second")]
