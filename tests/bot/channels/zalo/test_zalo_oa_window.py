"""The Zalo OA messaging window for outbox messages: a consultation message within 48 hours of the follower's
last message, later the template of the message's kind, or — with none configured — undeliverable and
listed for administrators (fake OA API on 127.0.0.1, both databases, a frozen clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.channels.zalo_oa import Contacts, ZaloOAChannel, ZaloOAClient
from bot.clock import ManualClock
from bot.contract.messages import Reply
from bot.outbox.dispatch import Dispatcher, failures
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.store import enqueue, undelivered
from bot.storage.db import Database
from tests.bot.channels.zalo.conftest import token_store
from tests.fakes.zalo_oa_api import FakeZaloOA

TEXT = "<b>Hồ sơ 000.00.00.H01-261130-0001</b> đã có kết quả."


@pytest.fixture
async def deliver(database: Database, oa_api: FakeZaloOA, manual_clock: ManualClock) -> AsyncIterator:  # type: ignore[type-arg]
    """``deliver(templates)``: enqueue one dossier notification to "u1" and run the dispatcher once."""
    clients: list[ZaloOAClient] = []

    async def run(templates: dict[str, str], kind: str = "dossier_status") -> int:
        client = ZaloOAClient(token_store(database, oa_api), oa_api.url, timeout=5.0, template_url=oa_api.url)
        clients.append(client)
        channel = ZaloOAChannel(client, Contacts(database), templates, timedelta(hours=48))
        with database.session() as session:
            enqueue(session, dedupe_key=f"n:{len(clients)}", channel="zalo_oa", chat_id="u1", reply=Reply(text=TEXT),
                    kind=kind)  # fmt: skip
            session.commit()
        return await Dispatcher(database, {"zalo_oa": channel}).run_once()

    yield run
    for client in clients:
        await client.aclose()


async def test_within_48_hours_a_consultation_message(
    deliver, database: Database, oa_api: FakeZaloOA, manual_clock: ManualClock  # type: ignore[no-untyped-def]
) -> None:
    Contacts(database).touch("u1")
    manual_clock.advance(timedelta(hours=47, minutes=59))
    assert await deliver({"dossier_status": "T-1"}) == 1
    assert oa_api.texts_to("u1") == [TEXT.replace("<b>", "").replace("</b>", "")] and oa_api.templates == []


async def test_after_the_window_the_template_of_the_message_kind(
    deliver, database: Database, oa_api: FakeZaloOA, manual_clock: ManualClock  # type: ignore[no-untyped-def]
) -> None:
    Contacts(database).touch("u1")
    manual_clock.advance(timedelta(hours=48, minutes=1))
    assert await deliver({"dossier_status": "T-STATUS", "alert": "T-ALERT"}) == 1
    assert oa_api.texts_to("u1") == []
    (sent,) = oa_api.templates
    assert sent["user_id"] == "u1" and sent["template_id"] == "T-STATUS"
    assert sent["template_data"] == {"content": "Hồ sơ 000.00.00.H01-261130-0001 đã có kết quả."}


@pytest.mark.parametrize("ever_wrote", [True, False])
async def test_after_the_window_without_a_template_undeliverable_and_listed(
    deliver, database: Database, oa_api: FakeZaloOA, manual_clock: ManualClock,  # type: ignore[no-untyped-def]
    ever_wrote: bool,
) -> None:  # fmt: skip
    if ever_wrote:
        Contacts(database).touch("u1")
        manual_clock.advance(timedelta(days=3))
    assert await deliver({"alert": "T-ALERT"}) == 0
    assert oa_api.sent == [] and oa_api.templates == [], "nothing was sent against Zalo's policy"
    with database.session() as session:
        (row,) = session.scalars(select(OutboxMessage))
        listed = failures(session)
        left = undelivered(session)
    assert row.status == OutboxStatus.UNDELIVERABLE.value
    assert "48-hour window" in row.last_error and "'dossier_status'" in row.last_error
    assert [r.id for r in listed] == [row.id], "shown to administrators (/loigui, officers failures)"
    assert left.undeliverable == 1 and "undeliverable" in left.describe()
    manual_clock.advance(timedelta(days=1))
    assert await deliver({"alert": "T-ALERT"}) == 0 and oa_api.sent == [], "never retried"
