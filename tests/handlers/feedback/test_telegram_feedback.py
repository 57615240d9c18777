"""End to end on Telegram: a citizen rates a procedure card through the fake Bot API (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Assistant
from bot.catalog.files import procedure_path, render_procedure, write_if_changed
from bot.catalog.model import Channel, Duration, Fee, FilingWay, Level, Procedure, TimeUnit
from bot.config import Settings
from bot.feedback.models import Rating
from bot.storage.db import Database
from tests.bot.channels.telegram.conftest import fake_api, serve_polling  # noqa: F401  (fixtures)
from tests.fakes.polling import PollingFactory
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage

CHAT = 70001
MARRIAGE = Procedure(
    code="1.000894", name="Thủ tục đăng ký kết hôn", levels=[Level.COMMUNE], field="Hộ tịch",
    ways=[FilingWay(channel=Channel.IN_PERSON, time=Duration(amount=5, unit=TimeUnit.WORKING_DAYS),
                    fees=[Fee(free=True)])],
)


@pytest.fixture
def assistant_on(tmp_path: Path, database: Database) -> Iterator[Assistant]:
    """The real assistant over a one-procedure catalog, storing everything in ``database``."""
    catalog = tmp_path / "catalog"
    write_if_changed(procedure_path(catalog, MARRIAGE), render_procedure(MARRIAGE))
    settings = Settings.model_validate({
        "office": {"name": "UBND xã Thử Nghiệm", "levels": ["Cấp xã"]},
        "catalog": {"path": str(catalog), "cache_path": str(tmp_path / "cache.pickle"),
                    "state_dir": str(tmp_path / "var")},
    })
    yield Assistant(settings, db=database)


@pytest.fixture
async def telegram(assistant_on: Assistant, serve_polling: PollingFactory,  # noqa: F811
                   fake_api: FakeTelegramAPI) -> AsyncIterator[FakeTelegramAPI]:  # noqa: F811
    async with serve_polling(assistant_on):
        yield fake_api


async def _press(api: FakeTelegramAPI, data: str, under: SentMessage) -> list[SentMessage]:
    assert data in under.button_data, f"no button {data!r}"
    api.push_callback(CHAT, data, message_id=under.message_id)
    return await api.next_reply(CHAT)


async def test_rating_after_a_procedure_card(telegram: FakeTelegramAPI, database: Database) -> None:
    telegram.push_text(CHAT, "đăng ký kết hôn")
    card = (await telegram.next_reply(CHAT))[-1]
    assert "1.000894" in card.text and "fa:p:1.000894" in card.button_data

    (scale,) = await _press(telegram, "fa:p:1.000894", card)
    assert scale.buttons[0][0][0] == "😀 Rất hài lòng"
    (asked,) = await _press(telegram, "fr:p:1.000894:5", scale)
    assert "Đã ghi nhận" in asked.text

    telegram.push_text(CHAT, "Rất dễ hiểu, cảm ơn!")
    (kind,) = await telegram.next_reply(CHAT)
    with database.session() as s:
        rating = s.scalar(select(Rating))
        assert (rating.score, rating.comment, rating.channel) == (5, "Rất dễ hiểu, cảm ơn!", "telegram")
        assert str(CHAT) not in rating.chat_digest
    (thanks,) = await _press(telegram, f"fk:{rating.id}:g", kind)
    assert "Cảm ơn bạn đã đánh giá" in thanks.text

    telegram.push_callback(CHAT, "fr:p:1.000894:8", message_id=scale.message_id)  # a forged score
    (refused,) = await telegram.next_reply(CHAT)
    assert "Chưa có gì được lưu" in refused.text
    with database.session() as s:
        assert [r.score for r in s.scalars(select(Rating))] == [5]
