"""The inbox worker: per-chat order, replies and ``done`` in one transaction, leases taken over after a
crash, exactly one answer per update (both databases, a frozen clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.inbox.intake import Intake
from bot.inbox.models import InboxState, InboxUpdate
from bot.inbox.worker import LEASE, InboxWorker, backlog
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.bot.inbox.echo import EchoAssistant, arrival

pytestmark = pytest.mark.usefixtures("manual_clock")


def _record(db: Database, *updates: tuple[str, str, str]) -> None:
    """Record (chat, update id, text) arrivals as the webhook does."""
    intake = Intake(db)
    try:
        intake.write([arrival(chat, update, text) for chat, update, text in updates])
    finally:
        intake.close()


def _outbox(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(r.chat_id, r.text) for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def _states(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {r.update_id: r.state for r in session.scalars(select(InboxUpdate))}


def test_each_chat_is_answered_in_arrival_order_one_update_per_batch(database: Database) -> None:
    _record(database, ("a", "1", "a-one"), ("b", "2", "b-one"), ("a", "3", "a-two"), ("a", "4", "a-three"))
    worker = InboxWorker(database, EchoAssistant(database))
    taken = worker.claim()
    assert [t.update_id for t in taken] == ["1", "2"], "a's later updates wait for its first"
    worker2 = InboxWorker(database, EchoAssistant(database))
    assert worker2.claim() == [], "another worker takes nothing of a chat whose earlier update is being answered"
    assert worker.answer(taken) == 2
    while worker.run_once():
        pass
    assert worker2.run_once() == 0
    assert [text for chat, text in _outbox(database) if chat == "a"] == ["a-one #1", "a-two #2", "a-three #3"]
    assert [text for chat, text in _outbox(database) if chat == "b"] == ["b-one #1"]
    assert set(_states(database).values()) == {InboxState.DONE.value}
    assert backlog(database).waiting == 0


def test_wakes_the_dispatcher_only_when_replies_were_written(database: Database) -> None:
    worker = InboxWorker(database, EchoAssistant(database))
    rings: list[int] = []
    worker.after_commit.append(lambda: rings.append(1))
    assert worker.run_once() == 0 and rings == []
    _record(database, ("a", "1", "x"))
    assert worker.run_once() == 1 and rings == [1]


def test_an_update_acknowledged_before_a_crash_is_answered_after_the_restart(database: Database) -> None:
    _record(database, ("a", "1", "question"))  # acknowledged; the process dies before the worker ran
    assert _states(database) == {"1": InboxState.PENDING.value}
    assert backlog(database).waiting == 1
    restarted = InboxWorker(database, EchoAssistant(database))
    assert restarted.run_once() == 1
    assert _outbox(database) == [("a", "question #1")]


def test_a_worker_killed_while_answering_leaves_its_rows_to_the_next_one(
    database: Database, manual_clock: ManualClock
) -> None:
    _record(database, ("a", "1", "question"), ("a", "2", "follow-up"))
    dead = InboxWorker(database, EchoAssistant(database))
    assert len(dead.claim()) == 1  # …and the process dies before its commit
    other = InboxWorker(database, EchoAssistant(database))
    assert other.run_once() == 0, "still leased; the chat's next update waits too"
    manual_clock.advance(LEASE + timedelta(seconds=1))
    assert other.run_once() == 1 and other.run_once() == 1
    assert _outbox(database) == [("a", "question #1"), ("a", "follow-up #2")]


def test_a_worker_that_lost_its_lease_records_nothing(database: Database, manual_clock: ManualClock) -> None:
    _record(database, ("a", "1", "question"))
    slow = InboxWorker(database, EchoAssistant(database))
    taken = slow.claim()
    manual_clock.advance(LEASE + timedelta(seconds=1))
    other = InboxWorker(database, EchoAssistant(database))
    assert other.run_once() == 1
    assert slow.answer(taken) == 0, "fenced on the claim: the new owner answered it"
    assert _outbox(database) == [("a", "question #1")], "answered exactly once, the state counted once"


def test_an_update_that_keeps_failing_is_given_up_and_frees_its_chat(
    database: Database, manual_clock: ManualClock
) -> None:
    class Broken(EchoAssistant):
        def respond(self, incoming):  # type: ignore[no-untyped-def]
            if incoming.text == "poison":
                raise RuntimeError("a bug")
            return super().respond(incoming)

    _record(database, ("a", "1", "poison"), ("a", "2", "fine"))
    worker = InboxWorker(database, Broken(database), max_attempts=2)
    for _ in range(3):
        worker.run_once()
        manual_clock.advance(LEASE + timedelta(seconds=1))
    while worker.run_once():
        pass
    assert _states(database) == {"1": InboxState.FAILED.value, "2": InboxState.DONE.value}
    assert _outbox(database) == [("a", "fine #1")]
    assert backlog(database).failed == 1
