"""The webhook ASGI app: secret check, size and format limits, and a real uvicorn run."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.ext import Application

from bot import clock
from bot.channels import registry
from bot.channels.inbox import Inbox
from bot.channels.telegram import SECRET_HEADER as TELEGRAM_SECRET_HEADER
from bot.channels.telegram import build_application, serve_telegram_webhook, telegram_route
from bot.channels.telegram import inbox_accept as telegram_inbox_accept
from bot.channels.telegram_sender import TelegramSender
from bot.channels.webhook import create_app
from bot.config import ENV_TELEGRAM_SECRET, ENV_TELEGRAM_TOKEN, ConfigError
from bot.inbox.models import InboxUpdate
from bot.inbox.worker import InboxWorker
from bot.outbox.dispatch import Dispatcher
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.storage.conversations import UpdateLog
from tests.bot.inbox.echo import EchoAssistant
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_api import FakeTelegramAPI

SECRET = "s3cret_Webhook-token"
PATH = "/telegram/hook-x1"
CHAT = 555


def text_update(update_id: int, text: str = "xin chào") -> dict[str, Any]:
    """A Bot API update as Telegram would POST it."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": CHAT, "type": "private", "first_name": "A"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "A", "language_code": "vi"},
            "text": text,
        },
    }


@pytest.fixture
async def application(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> AsyncIterator[Application]:
    """An initialized Application without updater, replying through the fake API."""
    app = build_application(assistant, fake_api.token, base_url=fake_api.base_url, timeout=5.0, polling=False)
    async with app:
        yield app


@pytest.fixture
async def client(application: Application) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the ASGI app in-process."""
    asgi = create_app([telegram_route(application, SECRET, PATH, max_body=10_000)])
    transport = httpx.ASGITransport(app=asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://webhook.test") as http:
        yield http


async def test_healthz(client: httpx.AsyncClient) -> None:
    answer = await client.get("/healthz")
    assert (answer.status_code, answer.text) == (200, "ok")


async def test_update_with_the_right_secret_is_processed(
    client: httpx.AsyncClient, assistant: ScriptedAssistant, fake_api: FakeTelegramAPI
) -> None:
    answer = await client.post(PATH, json=text_update(1), headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert answer.status_code == 200
    assert [i.text for i in assistant.seen] == ["xin chào"]
    assert [m.text for m in fake_api.messages(CHAT)] == ["got text"]


@pytest.mark.parametrize("headers", [{}, {TELEGRAM_SECRET_HEADER: "wrong"}, {TELEGRAM_SECRET_HEADER: SECRET + "x"}])
async def test_missing_or_wrong_secret_is_refused(
    client: httpx.AsyncClient,
    assistant: ScriptedAssistant,
    fake_api: FakeTelegramAPI,
    headers: dict[str, str],
) -> None:
    answer = await client.post(PATH, json=text_update(2), headers=headers)
    assert answer.status_code == 403
    assert assistant.seen == []
    assert fake_api.calls_to("sendMessage") == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"update_id": "x"}', "\xff".encode("latin-1")])
async def test_malformed_body_is_400(client: httpx.AsyncClient, assistant: ScriptedAssistant, body: bytes) -> None:
    answer = await client.post(PATH, content=body, headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert answer.status_code == 400
    assert assistant.seen == []


async def test_oversized_body_is_413(client: httpx.AsyncClient, assistant: ScriptedAssistant) -> None:
    big = text_update(3, "a" * 20_000)
    answer = await client.post(PATH, json=big, headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert answer.status_code == 413
    assert assistant.seen == []


async def test_oversized_streamed_body_without_length_is_413(
    client: httpx.AsyncClient, assistant: ScriptedAssistant
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 1000

    answer = await client.post(PATH, content=chunks(), headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert answer.status_code == 413


async def test_redelivered_update_is_processed_once(client: httpx.AsyncClient, assistant: ScriptedAssistant) -> None:
    for _ in range(2):
        answer = await client.post(PATH, json=text_update(4), headers={TELEGRAM_SECRET_HEADER: SECRET})
        assert answer.status_code == 200
    assert len(assistant.seen) == 1


async def test_only_post_on_the_route(client: httpx.AsyncClient) -> None:
    assert (await client.get(PATH)).status_code == 405
    assert (await client.post("/telegram/other", json=text_update(5))).status_code == 404


def test_a_route_without_secret_is_refused(application: Application) -> None:
    with pytest.raises(ValueError):
        telegram_route(application, "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_webhook_mode_registers_and_serves(
    assistant: ScriptedAssistant, fake_api: FakeTelegramAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    monkeypatch.setenv(ENV_TELEGRAM_TOKEN, fake_api.token)
    monkeypatch.setenv(ENV_TELEGRAM_SECRET, SECRET)
    telegram = assistant.settings.channels.telegram
    telegram.webhook_url, telegram.base_url = f"https://bot.example.gov.vn{PATH}", fake_api.base_url
    telegram.listen, telegram.port = "127.0.0.1", port
    stop = asyncio.Event()
    server = asyncio.create_task(serve_telegram_webhook(assistant, stop=stop))
    try:
        (registered,) = await fake_api.calls_of("setWebhook")
        assert registered.params["url"] == telegram.webhook_url
        assert registered.params["secret_token"] == SECRET
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(50):  # uvicorn binds just after setWebhook
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            refused = await http.post(PATH, json=text_update(6), headers={TELEGRAM_SECRET_HEADER: "nope"})
            accepted = await http.post(PATH, json=text_update(7), headers={TELEGRAM_SECRET_HEADER: SECRET})
        assert (refused.status_code, accepted.status_code) == (403, 200)
        assert [m.text for m in fake_api.messages(CHAT)] == ["got text"]
    finally:
        stop.set()
        await asyncio.wait_for(server, 5)


async def test_webhook_mode_needs_a_secret(assistant: ScriptedAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TELEGRAM_TOKEN, "123:abc")
    monkeypatch.delenv(ENV_TELEGRAM_SECRET, raising=False)
    assistant.settings.channels.telegram.webhook_url = "https://bot.example.gov.vn/telegram/x"
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        await serve_telegram_webhook(assistant)


async def test_a_reply_telegram_fails_to_take_is_queued_then_delivered_from_the_outbox(
    client: httpx.AsyncClient, assistant: ScriptedAssistant, fake_api: FakeTelegramAPI, update_log: UpdateLog
) -> None:
    assistant.db = update_log.db  # type: ignore[attr-defined]  # the real assistant's outbox database
    fake_api.fail_next("sendMessage", 1, status=502)
    answer = await client.post(PATH, json=text_update(31), headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert answer.status_code == 200, "acknowledged: the reply is durably queued"
    assert fake_api.messages(CHAT) == []
    with update_log.db.session() as session:
        (row,) = session.scalars(select(OutboxMessage))
    assert (row.status, row.kind, row.chat_id) == (OutboxStatus.PENDING.value, "reply", str(CHAT))
    # Telegram redelivers the update: it is not answered twice
    assert (await client.post(PATH, json=text_update(31), headers={TELEGRAM_SECRET_HEADER: SECRET})).status_code == 200
    sender = TelegramSender(Bot(fake_api.token, base_url=fake_api.base_url))
    async with registry.started({"telegram": sender}) as channels:
        assert await Dispatcher(update_log.db, channels).run_once(clock.now() + timedelta(minutes=1)) == 1
    assert [m.text for m in fake_api.messages(CHAT)] == ["got text"]


async def test_through_the_inbox_updates_are_recorded_and_a_button_spinner_stopped_at_once(
    assistant: ScriptedAssistant, application: Application, fake_api: FakeTelegramAPI
) -> None:
    db = assistant.updates.db
    worker = InboxWorker(db, EchoAssistant(db))
    inbox = Inbox(db, worker)
    asgi = create_app([telegram_route(application, SECRET, PATH, accept=telegram_inbox_accept(inbox, application))])
    press = fake_api.push_callback(CHAT, "p:1.001234", message_id=5)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://t") as http:
        for update in (text_update(10, "đăng ký kết hôn"), press, text_update(10, "đăng ký kết hôn")):
            answer = await http.post(PATH, json=update, headers={TELEGRAM_SECRET_HEADER: SECRET})
            assert (answer.status_code, answer.text) == (200, "ok")
    (spinner,) = await fake_api.calls_of("answerCallbackQuery")
    assert spinner.params["callback_query_id"] == press["callback_query"]["id"]
    assert fake_api.messages(CHAT) == [] and assistant.seen == [], "nothing answered inside the requests"
    with db.session() as session:
        rows = list(session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))
    assert [(r.channel, r.chat_id, r.update_id, r.payload["kind"]) for r in rows] == [
        ("telegram", str(CHAT), "10", "text"), ("telegram", str(CHAT), str(press["update_id"]), "choice")]
    assert await asyncio.to_thread(worker.run_once) == 1
    assert await asyncio.to_thread(worker.run_once) == 1, "the chat's second update after its first"
    inbox.intake.close()
    worker.close()
