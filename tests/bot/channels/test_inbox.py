"""Webhooks through the inbox, on the real app (``registry.web_channels``) and the fake Zalo Bot API: the 200
comes once the update is recorded, never after the search; redeliveries are answered once; a chat's updates
are answered in order; the dispatcher sends what the worker wrote."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import Assistant
from bot.channels import registry
from bot.channels.inbox import Inbox
from bot.channels.webhook import create_web_app
from bot.channels.zalo_bot import ZALO_BOT_SECRET_HEADER
from bot.config import ENV_ZALO_BOT_SECRET, ENV_ZALO_BOT_TOKEN
from bot.inbox.models import InboxUpdate
from bot.inbox.worker import Answerer, InboxWorker
from bot.outbox.models import OutboxMessage
from bot.storage.db import Database
from tests.bot.channels.inbox_helpers import answered, deliver
from tests.bot.inbox.echo import EchoAssistant
from tests.fakes.zalo_bot_api import FakeZaloBotAPI

SECRET = "inbox-webhook-secret-1"
HEADERS = {ZALO_BOT_SECRET_HEADER: SECRET}


@pytest.fixture
def zalo(real_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeZaloBotAPI]:
    """The fake Zalo Bot API, and the assistant's settings serving its webhook."""
    with FakeZaloBotAPI() as api:
        monkeypatch.setenv(ENV_ZALO_BOT_TOKEN, api.token)
        monkeypatch.setenv(ENV_ZALO_BOT_SECRET, SECRET)
        channels = real_assistant.settings.channels
        channels.zalo_bot = channels.zalo_bot.model_copy(update={
            "enabled": True, "webhook_url": "https://bot.example.gov.vn/zalo/bot", "base_url": api.base_url})
        yield api


@asynccontextmanager
async def served(assistant: Assistant, answerer: Answerer | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """The app ``serve`` runs for the enabled webhooks, its inbox answered by ``answerer`` (the assistant)."""
    inbox = Inbox(assistant.db, InboxWorker(assistant.db, answerer or assistant))
    app = create_web_app(registry.web_channels(assistant, assistant.db, inbox))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as web:
        yield web


def _count(db: Database, model: type[InboxUpdate] | type[OutboxMessage]) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_question_is_acknowledged_then_answered_through_the_outbox(
    real_assistant: Assistant, zalo: FakeZaloBotAPI
) -> None:
    async with served(real_assistant) as web:
        answer = await web.post("/zalo/bot", json=zalo.text_event("c1", "đăng ký kết hôn"), headers=HEADERS)
        assert answer.status_code == 200 and answer.json() == {"ok": True}
        await answered(real_assistant.db)
    assert await deliver(real_assistant) >= 1
    assert "1.000894" in zalo.messages("c1")[0].text


async def test_the_200_never_waits_for_the_search(real_assistant: Assistant, zalo: FakeZaloBotAPI) -> None:
    gate = threading.Event()
    slow = EchoAssistant(real_assistant.db, gate)
    try:
        async with served(real_assistant, slow) as web:
            answer = await web.post("/zalo/bot", json=zalo.text_event("c1", "hello"), headers=HEADERS)
            assert answer.status_code == 200, "acknowledged while the answer is still being worked out"
            assert await asyncio.to_thread(slow.started.wait, 10), "the worker is answering it"
            assert _count(real_assistant.db, OutboxMessage) == 0 and not zalo.all_sent()
            gate.set()
            await answered(real_assistant.db)
    finally:
        gate.set()
    await deliver(real_assistant)
    assert [m.text for m in zalo.messages("c1")] == ["hello #1"]


async def test_a_redelivered_update_is_acknowledged_and_answered_once(
    real_assistant: Assistant, zalo: FakeZaloBotAPI
) -> None:
    event = zalo.text_event("c1", "hello", message_id="m-1")
    async with served(real_assistant, EchoAssistant(real_assistant.db)) as web:
        together = await asyncio.gather(*(web.post("/zalo/bot", json=event, headers=HEADERS) for _ in range(3)))
        await answered(real_assistant.db)
        later = await web.post("/zalo/bot", json=event, headers=HEADERS)
        await answered(real_assistant.db)
    assert [r.status_code for r in [*together, later]] == [200] * 4
    assert _count(real_assistant.db, InboxUpdate) == 1
    assert await deliver(real_assistant) == 1
    assert [m.text for m in zalo.messages("c1")] == ["hello #1"]


async def test_a_chats_updates_are_answered_in_the_order_they_arrived(
    real_assistant: Assistant, zalo: FakeZaloBotAPI
) -> None:
    async with served(real_assistant, EchoAssistant(real_assistant.db)) as web:
        for number in range(5):
            for chat in ("c1", "c2"):
                event = zalo.text_event(chat, f"{chat}-m{number}")
                assert (await web.post("/zalo/bot", json=event, headers=HEADERS)).status_code == 200
        await answered(real_assistant.db)
    with real_assistant.db.session() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    for chat in ("c1", "c2"):
        assert [r.text for r in rows if r.chat_id == chat] == [f"{chat}-m{n} #{n + 1}" for n in range(5)]


async def test_an_update_the_database_cannot_take_is_refused_for_a_redelivery(
    real_assistant: Assistant, zalo: FakeZaloBotAPI
) -> None:
    async with served(real_assistant, EchoAssistant(real_assistant.db)) as web:
        with real_assistant.db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE inbox")
        answer = await web.post("/zalo/bot", json=zalo.text_event("c1", "hello"), headers=HEADERS)
    assert answer.status_code == 503, "not recorded: the platform must deliver it again"
