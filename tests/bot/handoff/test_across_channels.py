"""Whole hand-offs across platforms: a citizen on one channel asks, an officer on the other answers.

The real assistant, the real python-telegram-bot Application long polling the fake Bot API, the Zalo Bot
webhook app fed signed deliveries, and the outbox dispatcher sending through both real senders to the fakes.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from bot.app import Assistant
from bot.channels.telegram_sender import TelegramSender
from bot.channels.zalo_bot import ZaloBotChannel
from bot.config import ENV_SECRET_KEY
from bot.officers.models import Officer
from bot.outbox.dispatch import Dispatcher
from tests.bot.channels.telegram.conftest import fake_api, serve_polling  # noqa: F401  (fixtures)
from tests.bot.channels.zalo.conftest import bot_sender, oa_api, oa_sender, web, zalo_api  # noqa: F401
from tests.bot.channels.zalo.test_zalo_bot_conversation import say
from tests.bot.outbox.test_dispatch import FakeClock
from tests.fakes.polling import PollingFactory
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_bot_api import FakeZaloBotAPI

TG_CITIZEN = 81001
TG_OFFICER = 81002
ZALO_CITIZEN = "zc-citizen"
ZALO_OFFICER = "zo-officer"
DESK = "Bộ phận Một cửa"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (chats are stored as keyed digests)."""
    monkeypatch.setenv(ENV_SECRET_KEY, "test-secret-key-for-handoff-0123456789")


def register(assistant: Assistant, channel: str, user: str) -> None:
    """An officer of the duty desk on ``channel``."""
    with assistant.db.session() as s:
        s.add(Officer(channel=channel, user_id=user, chat_id=user, name="Cán bộ trực", role="officer", units=[DESK]))
        s.commit()


@pytest.fixture
async def dispatcher(real_assistant: Assistant, fake_api: FakeTelegramAPI,  # noqa: F811
                     bot_sender: ZaloBotChannel) -> AsyncIterator[Dispatcher]:  # noqa: F811
    """Outbox delivery to both platforms through the real senders, on virtual time."""
    telegram = TelegramSender(Bot(fake_api.token, base_url=fake_api.base_url))
    await telegram.start()
    clock = FakeClock(real_fraction=0)
    yield Dispatcher(real_assistant.db, {"telegram": telegram, "zalo_bot": bot_sender}, rng=random.Random(1),
                     clock=clock, sleep=clock.sleep)  # fmt: skip
    await telegram.stop()


async def test_citizen_on_telegram_officer_on_zalo(
    real_assistant: Assistant, serve_polling: PollingFactory, fake_api: FakeTelegramAPI,  # noqa: F811
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, dispatcher: Dispatcher,  # noqa: F811
) -> None:
    register(real_assistant, "zalo_bot", ZALO_OFFICER)
    async with serve_polling(real_assistant):
        fake_api.push_text(TG_CITIZEN, "/hoi Tôi là Nguyễn Văn An 0912345678, mất sổ hộ khẩu thì làm gì?")
        (confirmation,) = await fake_api.next_reply(TG_CITIZEN)
        assert "Đã gửi câu hỏi số 1 đến Bộ phận Một cửa" in confirmation.text
        assert await dispatcher.run_once() == 1

        (relayed,) = zalo_api.wait_for(ZALO_OFFICER)
        assert "#H1" in relayed.text and "0912345678" in relayed.text and "<b>" not in relayed.text
        (ack,) = await say(web, zalo_api, "/traloi H1 Sổ hộ khẩu không còn dùng; bạn dùng căn cước.", ZALO_OFFICER)
        assert "Đã gửi câu trả lời" in ack.text
        assert await dispatcher.run_once() == 1

        (answer,) = await fake_api.next_messages(TG_CITIZEN)
        assert "Bộ phận Một cửa trả lời câu hỏi số 1" in answer.text and "dùng căn cước" in answer.text
        assert answer.button_data == ["hr:1:5", "hr:1:3", "hr:1:1"]
        fake_api.push_callback(TG_CITIZEN, "hr:1:5", message_id=answer.message_id)
        (thanks,) = await fake_api.next_reply(TG_CITIZEN)
        assert "Cảm ơn bạn đã đánh giá câu trả lời" in thanks.text


async def test_citizen_on_zalo_officer_replies_on_telegram(
    real_assistant: Assistant, serve_polling: PollingFactory, fake_api: FakeTelegramAPI,  # noqa: F811
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, dispatcher: Dispatcher,  # noqa: F811
) -> None:
    register(real_assistant, "telegram", str(TG_OFFICER))
    async with serve_polling(real_assistant):
        (confirmation,) = await say(web, zalo_api, "/hoi Xin giấy phép nuôi chó cảnh ở xã thì làm thế nào?",
                                    ZALO_CITIZEN)  # fmt: skip
        assert "Đã gửi câu hỏi số 1" in confirmation.text and "1. ❌ Hủy câu hỏi" in confirmation.text
        assert await dispatcher.run_once() == 1

        (relayed,) = await fake_api.next_messages(TG_OFFICER)
        assert "#H1" in relayed.text and "nuôi chó cảnh" in relayed.text
        fake_api.push_text(TG_OFFICER, "Không cần giấy phép, chỉ cần tiêm phòng dại.", reply_to=relayed)
        (ack,) = await fake_api.next_reply(TG_OFFICER)
        assert "Đã gửi câu trả lời cho câu hỏi H1" in ack.text
        assert await dispatcher.run_once() == 1

        (answer,) = zalo_api.wait_for(ZALO_CITIZEN)
        assert "Bộ phận Một cửa trả lời câu hỏi số 1" in answer.text and "tiêm phòng dại" in answer.text
        assert "1. 😀 Rất hữu ích" in answer.text  # the rating scale as a numbered list
        (thanks,) = await say(web, zalo_api, "1", ZALO_CITIZEN)
        assert "Cảm ơn bạn đã đánh giá câu trả lời" in thanks.text
