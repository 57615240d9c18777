"""The outbox dispatcher: claims, retries with backoff, permanent failures, crashes, and rate limits."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from bot.contract.messages import Choice, Reply
from bot.outbox.dispatch import Dispatcher, RateLimiter
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.sender import PermanentFailure, RetryLater
from bot.outbox.store import enqueue
from bot.storage.db import Database
from tests.bot.outbox.senders import RecordingSender
from tests.conftest import FROZEN_AT

NOW = FROZEN_AT

# rows are stamped by the process-wide clock: stop it at NOW, whatever the date the suite runs on
pytestmark = pytest.mark.usefixtures("manual_clock")


class FakeClock:
    """Virtual seconds; ``sleep`` moves time forward to the sleeper's wake-up time.

    With ``real_fraction`` > 0 a sleeper also waits that fraction of the time for real, which keeps
    concurrent wake-ups in order; assertions only ever look at virtual time.
    """

    def __init__(self, real_fraction: float = 0.01) -> None:
        self.now = 0.0
        self.real_fraction = real_fraction

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake = self.now + seconds
        await asyncio.sleep(seconds * self.real_fraction)
        self.now = max(self.now, wake)


def _enqueue(db: Database, *chats: str, channel: str = "telegram") -> None:
    with db.session() as s:
        for chat in chats:
            reply = Reply(text=f"hello {chat}", choices=[[Choice("▶️", "th:2")]])
            enqueue(s, dedupe_key=f"test:{chat}", channel=channel, chat_id=chat, reply=reply, kind="test")
        s.commit()


def _rows(db: Database) -> dict[str, OutboxMessage]:
    with db.session() as s:
        return {r.chat_id: r for r in s.scalars(select(OutboxMessage))}


def _dispatcher(db: Database, sender: RecordingSender, **kw: object) -> Dispatcher:
    kw.setdefault("rng", random.Random(7))
    clock = FakeClock(real_fraction=0)
    kw.setdefault("clock", clock)
    kw.setdefault("sleep", clock.sleep)
    return Dispatcher(db, {sender.channel: sender}, global_rate=1000, per_chat_interval=0, **kw)  # type: ignore[arg-type]


async def test_due_rows_are_sent_once_and_marked_sent(database: Database) -> None:
    _enqueue(database, "1", "2", "3")
    sender = RecordingSender()
    dispatcher = _dispatcher(database, sender)
    assert await dispatcher.run_once(NOW) == 3
    assert await dispatcher.run_once(NOW + timedelta(days=1)) == 0
    assert sorted(sender.sent) == [("1", "hello 1"), ("2", "hello 2"), ("3", "hello 3")]
    rows = _rows(database)
    assert {r.status for r in rows.values()} == {OutboxStatus.SENT.value}
    assert all(r.attempts == 1 and r.sent_at is not None for r in rows.values())


async def test_rows_of_channels_without_a_sender_wait(database: Database) -> None:
    _enqueue(database, "z", channel="zalo")
    assert await _dispatcher(database, RecordingSender()).run_once(NOW) == 0
    assert _rows(database)["z"].status == OutboxStatus.PENDING.value


async def test_retry_after_is_honoured(database: Database) -> None:
    _enqueue(database, "1")

    def flood(chat: str, attempt: int) -> None:
        if attempt == 1:
            raise RetryLater("429", retry_after=30)

    sender = RecordingSender(script=flood)
    dispatcher = _dispatcher(database, sender, base_backoff=2.0)
    assert await dispatcher.run_once(NOW) == 0
    row = _rows(database)["1"]
    assert row.status == OutboxStatus.PENDING.value and row.last_error == "429"
    due = row.next_attempt_at.replace(tzinfo=UTC)
    assert timedelta(seconds=30) <= due - NOW < timedelta(seconds=31)  # retry_after beats the 1–2 s backoff
    assert await dispatcher.run_once(NOW + timedelta(seconds=29)) == 0
    assert await dispatcher.run_once(NOW + timedelta(seconds=31)) == 1
    assert sender.sent == [("1", "hello 1")] and _rows(database)["1"].attempts == 2


async def test_transient_errors_back_off_exponentially_then_succeed(database: Database) -> None:
    _enqueue(database, "1")

    def flaky(chat: str, attempt: int) -> None:
        if attempt <= 3:
            raise RetryLater("NetworkError: 500")

    sender = RecordingSender(script=flaky)
    dispatcher = _dispatcher(database, sender, base_backoff=10.0)
    now, delays = NOW, []
    for _ in range(3):
        assert await dispatcher.run_once(now) == 0
        due = _rows(database)["1"].next_attempt_at.replace(tzinfo=UTC)
        delays.append((due - now).total_seconds())
        now = due
    assert await dispatcher.run_once(now) == 1
    # equal jitter: attempt n waits between half and all of 10 · 2^(n-1) seconds
    assert [5 <= delays[0] <= 10, 10 <= delays[1] <= 20, 20 <= delays[2] <= 40] == [True] * 3


async def test_permanent_failure_is_recorded_and_not_retried(database: Database) -> None:
    _enqueue(database, "1", "2")

    def blocked(chat: str, attempt: int) -> None:
        if chat == "1":
            raise PermanentFailure("Forbidden: bot was blocked by the user")

    sender = RecordingSender(script=blocked)
    dispatcher = _dispatcher(database, sender)
    assert await dispatcher.run_once(NOW) == 1
    assert await dispatcher.run_once(NOW + timedelta(days=2)) == 0
    row = _rows(database)["1"]
    assert row.status == OutboxStatus.FAILED.value and "blocked" in row.last_error
    assert sender.calls == {"1": 1, "2": 1}


async def test_too_many_attempts_end_in_failure(database: Database) -> None:
    _enqueue(database, "1")

    def always(chat: str, attempt: int) -> None:
        raise RetryLater("TimedOut")

    sender = RecordingSender(script=always)
    dispatcher = _dispatcher(database, sender, max_attempts=3, base_backoff=1.0)
    now = NOW
    for _ in range(5):
        await dispatcher.run_once(now)
        now += timedelta(hours=1)
    row = _rows(database)["1"]
    assert row.status == OutboxStatus.FAILED.value and row.attempts == 3 and "gave up after 3" in row.last_error
    assert sender.calls == {"1": 3}


async def test_a_worker_that_dies_mid_send_loses_nothing(database: Database) -> None:
    _enqueue(database, "1", "2")
    lease = timedelta(minutes=2)
    dead = _dispatcher(database, RecordingSender(), worker_id="dead", lease=lease)
    claims = dead.claim(NOW)  # claimed, then the process is killed before sending anything
    assert len(claims) == 2
    sender = RecordingSender()
    alive = _dispatcher(database, sender, worker_id="alive", lease=lease)
    assert await alive.run_once(NOW + timedelta(seconds=90)) == 0  # the lease still holds: never two senders
    assert await alive.run_once(NOW + lease + timedelta(seconds=1)) == 2
    assert sorted(sender.sent) == [("1", "hello 1"), ("2", "hello 2")]
    # the dead worker's late "sent" cannot overwrite the new owner's record, and nothing is sent again
    dead._finish(claims[0], OutboxStatus.FAILED, NOW, "late")
    assert _rows(database)["1"].status == OutboxStatus.SENT.value
    assert await alive.run_once(NOW + timedelta(days=1)) == 0
    assert sorted(sender.sent) == [("1", "hello 1"), ("2", "hello 2")]


async def test_a_sent_row_is_never_claimed_again(database: Database) -> None:
    _enqueue(database, "1")
    sender = RecordingSender()
    await _dispatcher(database, sender).run_once(NOW)
    later = _dispatcher(database, sender, worker_id="other")
    assert later.claim(NOW + timedelta(days=30)) == []


async def test_two_dispatchers_at_once_share_the_rows(database: Database) -> None:
    chats = [str(i) for i in range(40)]
    _enqueue(database, *chats)
    sender = RecordingSender()
    url = database.engine.url.render_as_string(hide_password=False)
    other_db = Database(url)
    try:
        first = _dispatcher(database, sender, worker_id="a", batch_size=7)
        second = _dispatcher(other_db, sender, worker_id="b", batch_size=7)
        while sum(await asyncio.gather(first.run_once(NOW), second.run_once(NOW))):
            pass
    finally:
        other_db.dispose()
    assert sorted(chat for chat, _text in sender.sent) == sorted(chats)


# --- rate limits, on an injected clock --------------------------------------------------------------


def test_rate_limiter_spaces_chats_and_caps_the_total() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=25, per_chat_interval=1.0, clock=clock)
    limiter.take("a")
    assert limiter.delay("a") == pytest.approx(1.0)  # one message per second to a chat
    assert limiter.delay("b") == pytest.approx(0.04)  # 25 per second overall
    clock.now = 0.04
    assert limiter.delay("b") == 0
    limiter.take("b")
    clock.now = 0.5
    assert limiter.delay("a") == pytest.approx(0.5) and limiter.delay("c") == 0
    limiter.hold("c", 30)
    assert limiter.delay("c") == pytest.approx(30.0)


async def test_dispatcher_respects_per_chat_and_global_rates(database: Database) -> None:
    clock = FakeClock()
    sender = RecordingSender(clock=clock)
    chats = [f"{c}" for c in range(30)]
    with database.session() as s:  # 3 messages to each of 30 chats, in one batch
        for n in range(3):
            for chat in chats:
                enqueue(s, dedupe_key=f"t:{chat}:{n}", channel="telegram", chat_id=chat, reply=Reply(text="x"))
        s.commit()
    dispatcher = Dispatcher(database, {"telegram": sender}, global_rate=25, per_chat_interval=1.0,
                            batch_size=100, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
    assert await dispatcher.run_once(NOW) == 90
    for times in sender.times.values():
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))
    every = sorted(t for times in sender.times.values() for t in times)
    for i, start in enumerate(every):
        in_window = sum(1 for t in every[i:] if t < start + 1.0)
        assert in_window <= 25
    assert every[-1] >= 89 / 25 - 1e-9


async def test_the_heartbeat_keeps_a_long_send_claimed(database: Database, manual_clock) -> None:  # type: ignore[no-untyped-def]
    _enqueue(database, "1")
    dispatcher = _dispatcher(database, RecordingSender(), worker_id="slow", lease=timedelta(seconds=15))
    (claim,) = dispatcher.claim(NOW)
    manual_clock.advance(timedelta(seconds=10))
    assert dispatcher.renew() == 1
    other = _dispatcher(database, RecordingSender(), worker_id="other")
    assert other.claim(NOW + timedelta(seconds=20)) == [], "renewed at +10 s: held until +25 s"
    assert [c.id for c in other.claim(NOW + timedelta(seconds=26))] == [claim.id], "a dead worker's row is free"


async def test_stopping_gives_back_what_waits_and_finishes_what_is_sent(database: Database) -> None:
    with database.session() as s:  # one chat, 1 s apart: three of them wait their turn
        for n in range(4):
            enqueue(s, dedupe_key=f"same:{n}", channel="telegram", chat_id="same", reply=Reply(text=str(n)))
        s.commit()
    sender = RecordingSender()
    stop = asyncio.Event()
    dispatcher = Dispatcher(database, {"telegram": sender}, per_chat_interval=1.0, worker_id="w")

    async def stop_after_first() -> None:
        while not sender.sent:
            await asyncio.sleep(0.01)
        stop.set()

    await asyncio.wait_for(asyncio.gather(dispatcher.run_forever(stop, idle_seconds=0.05), stop_after_first()), 5)
    with database.session() as s:
        rows_all = list(s.scalars(select(OutboxMessage)))
    assert sender.sent == [("same", "0")]
    assert sorted(r.status for r in rows_all) == ["pending", "pending", "pending", "sent"]
    assert all(r.claimed_by == "" and r.attempts == 0 for r in rows_all if r.status == "pending")


class _SlowFirst(RecordingSender):
    """The first message to each chat takes longer than the others (a slow platform round trip)."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        if reply.text.endswith(" 0"):
            await asyncio.sleep(0.05)
        await super().send(chat_id, reply)


async def test_one_chats_messages_are_sent_in_order_and_a_deferred_one_holds_the_rest_back(
    database: Database,
) -> None:
    with database.session() as s:
        for number in range(3):
            for chat in ("a", "b"):
                enqueue(s, dedupe_key=f"order:{chat}:{number}", channel="telegram", chat_id=chat,
                        reply=Reply(text=f"{chat} {number}"), kind="test")  # fmt: skip
        s.commit()

    def busy(chat: str, attempt: int) -> None:
        if chat == "b" and attempt == 2:
            raise RetryLater("429", retry_after=5)

    sender = _SlowFirst(script=busy)
    assert await _dispatcher(database, sender).run_once(NOW) == 4
    assert [text for chat, text in sender.sent if chat == "a"] == ["a 0", "a 1", "a 2"]
    assert [text for chat, text in sender.sent if chat == "b"] == ["b 0"], "b 2 waits for the deferred b 1"
    with database.session() as s:
        held = s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == "order:b:2")).one()
    assert (held.status, held.attempts) == (OutboxStatus.PENDING.value, 0)
