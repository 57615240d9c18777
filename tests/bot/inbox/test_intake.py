"""Group commit: updates arriving together are recorded in one transaction; a redelivery is not new."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.contract.messages import Kind
from bot.inbox.intake import Intake
from bot.inbox.models import InboxState, InboxUpdate
from bot.inbox.payload import Arrival, from_payload, to_payload
from bot.storage.db import Database
from tests.bot.inbox.echo import arrival


async def test_updates_arriving_together_share_one_commit(database: Database) -> None:
    intake = Intake(database)
    batches: list[int] = []
    write = intake.write

    def counted(arrivals: list[Arrival]) -> set[tuple[str, str]]:
        batches.append(len(arrivals))
        return write(arrivals)

    intake.write = counted  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(*(intake.record(arrival(f"c{n % 7}", f"u{n}")) for n in range(60)))
    finally:
        intake.close()
    assert results == [True] * 60
    assert batches == [60], "one transaction for the 60 updates that arrived together"
    with database.session() as session:
        rows = list(session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))
    assert [r.update_id for r in rows] == [f"u{n}" for n in range(60)], "recorded in arrival order"
    assert {r.state for r in rows} == {InboxState.PENDING.value}


async def test_a_redelivered_update_is_acknowledged_but_not_new(database: Database) -> None:
    intake = Intake(database)
    try:
        assert await intake.record(arrival("c1", "u1", "hello"))
        assert not await intake.record(arrival("c1", "u1", "hello"))
        twice = await asyncio.gather(intake.record(arrival("c2", "u2")), intake.record(arrival("c2", "u2")))
        other_channel = await intake.record(arrival("c1", "u1", channel="zalo_oa"))
    finally:
        intake.close()
    assert twice == [True, False], "the same update twice in one batch: only the first is new"
    assert other_channel, "update ids are unique per channel"
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(InboxUpdate)) == 3


async def test_a_database_error_reaches_every_waiting_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'no-tables.db'}")  # no schema: the insert fails
    intake = Intake(db)
    try:
        outcomes = await asyncio.gather(intake.record(arrival("c1", "u1")), intake.record(arrival("c2", "u2")),
                                        return_exceptions=True)  # fmt: skip
    finally:
        intake.close()
        db.dispose()
    assert all(isinstance(o, Exception) for o in outcomes)


def test_the_payload_keeps_the_message_and_the_event() -> None:
    sent = arrival("c1", "u1", "xin chào")
    stored = to_payload(Arrival(sent.incoming, "u1", event="follow"))
    incoming, event_name = from_payload("zalo_bot", "c1", stored)
    assert incoming == sent.incoming and incoming.kind is Kind.TEXT and event_name == "follow"
    assert "channel" not in stored and "chat_id" not in stored, "they have columns of their own"
