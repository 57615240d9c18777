"""From the morning alert to the citizen's chat: alert → /xinloi → letter to the officer → followers told,
through the outbox and the real senders against the fake Telegram and Zalo Bot servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from telegram import Bot

from bot.channels.telegram_sender import TelegramSender
from bot.channels.zalo_bot import ZaloBotChannel, ZaloBotClient
from bot.dossiers.models import Dossier, Subscription
from bot.late.job import enqueue_morning_alerts
from bot.outbox.dispatch import Dispatcher
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730, add_dossier, add_officer, settings
from tests.bot.outbox.test_dispatch import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.handlers.test_officers import Chat

pytestmark = pytest.mark.usefixtures("manual_clock")  # the clock is stopped at MONDAY_0730
OFFICER, CITIZEN_TG, CITIZEN_ZALO = 900, 5151, "zc-77"


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegramAPI]:
    with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
def zalo_api() -> Iterator[FakeZaloBotAPI]:
    with FakeZaloBotAPI() as api:
        yield api


@pytest.fixture
async def senders(telegram_api: FakeTelegramAPI, zalo_api: FakeZaloBotAPI) -> AsyncIterator[dict]:  # type: ignore[type-arg]
    telegram = TelegramSender(Bot(telegram_api.token, base_url=telegram_api.base_url))
    await telegram.start()
    client = ZaloBotClient(zalo_api.token, zalo_api.base_url, timeout=5.0)
    yield {"telegram": telegram, "zalo_bot": ZaloBotChannel(client)}
    await client.aclose()
    await telegram.stop()


def _follow(db: Database, code: str) -> None:
    with db.session() as s:
        dossier = s.query(Dossier).filter_by(code=code).one()
        s.add(Subscription(dossier_id=dossier.id, channel="telegram", chat_id=str(CITIZEN_TG), language="vi"))
        s.add(Subscription(dossier_id=dossier.id, channel="zalo_bot", chat_id=CITIZEN_ZALO, language="en"))
        s.commit()


async def test_alert_apology_letter_and_citizens_on_telegram_and_zalo(
    database: Database, telegram_api: FakeTelegramAPI, zalo_api: FakeZaloBotAPI, senders: dict  # type: ignore[type-arg]
) -> None:
    add_dossier(database, "H12-0001", MONDAY_0730 + timedelta(hours=8))  # due at 15:30 today, not finished
    add_officer(database, OFFICER)
    _follow(database, "H12-0001")
    clock = FakeClock(real_fraction=0)  # the rate limiter's time moves with its own sleeps
    dispatcher = Dispatcher(database, senders, per_chat_interval=0, clock=clock, sleep=clock.sleep)

    assert enqueue_morning_alerts(database, settings(), MONDAY_0730) == 1
    assert await dispatcher.run_once(MONDAY_0730) == 1
    [alert] = telegram_api.messages(OFFICER)
    assert "H12-0001" in alert.text and "✍️ cần lập phiếu xin lỗi và hẹn lại" in alert.text

    chat = Chat(database, str(OFFICER))
    chat.say("/xinloi H12-0001")
    chat.press("ad:20261126")
    [done] = chat.press("ar:0")
    assert "Đã nhắn ngày hẹn mới cho 2 người theo dõi hồ sơ" in done.text
    await senders["telegram"].send(str(OFFICER), done)  # the officer's answer, as the channel sends it
    letter = telegram_api.messages(OFFICER)[-1]
    assert letter.method == "sendDocument" and letter.filename == "phieu-xin-loi-H12-0001.pdf"
    assert letter.content is not None and letter.content.startswith(b"%PDF")

    assert await dispatcher.run_once(MONDAY_0730) == 2
    [told] = telegram_api.messages(CITIZEN_TG)
    assert "H12-0001 chưa giải quyết được đúng hẹn" in told.text and "26/11/2026" in told.text
    assert "Cần xác minh thêm thông tin" in told.text and told.button_data == ["du:1"]
    [zalo] = zalo_api.messages(CITIZEN_ZALO)
    assert "H12-0001" in zalo.text and "26 Nov 2026" in zalo.text and "<b>" not in zalo.text
    assert await dispatcher.run_once(MONDAY_0730 + timedelta(minutes=5)) == 0  # each told once
