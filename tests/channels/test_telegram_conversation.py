"""Whole conversations on Telegram: the real Assistant, the real Application, the fake Bot API.

A small catalog is written to a temporary folder, the assistant keeps its state in a temporary SQLite
file, and the library long-polls the local fake server, so each exchange goes through HTTP both ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import Assistant, build_assistant
from bot.catalog.files import procedure_path, render_procedure, write_if_changed
from bot.catalog.model import (
    Channel,
    Document,
    Duration,
    Fee,
    FilingWay,
    LegalBasis,
    Level,
    Procedure,
    TimeUnit,
)
from bot.config import Settings
from tests.fakes.polling import PollingFactory
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage

OFFICE = "UBND xã Thử Nghiệm"
CHAT = 90001


def _in_person(days: int, fee: Fee) -> list[FilingWay]:
    time = Duration(amount=days, unit=TimeUnit.WORKING_DAYS)
    return [FilingWay(channel=Channel.IN_PERSON, time=time, fees=[fee])]


CATALOG = [
    Procedure(
        code="1.000894",
        name="Thủ tục đăng ký kết hôn",
        levels=[Level.COMMUNE],
        field="Hộ tịch",
        ways=_in_person(5, Fee(free=True)),
        documents=[Document(name="Tờ khai đăng ký kết hôn", originals=1, copies=0)],
        legal_basis=[LegalBasis(number="60/2014/QH13", title="Luật Hộ tịch")],
        result="Giấy chứng nhận kết hôn",
    ),
    Procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        levels=[Level.COMMUNE],
        field="Chứng thực",
        ways=_in_person(1, Fee(amount=2000, per="trang")),
    ),
    Procedure(
        code="2.000884",
        name="Chứng thực chữ ký trong các giấy tờ, văn bản",
        levels=[Level.COMMUNE],
        field="Chứng thực",
        ways=_in_person(1, Fee(amount=10000)),
    ),
]


@pytest.fixture
def real_assistant(tmp_path: Path) -> Iterator[Assistant]:
    """The real assistant over a three-procedure catalog and a temporary SQLite database."""
    catalog = tmp_path / "catalog"
    for procedure in CATALOG:
        write_if_changed(procedure_path(catalog, procedure), render_procedure(procedure))
    settings = Settings.model_validate(
        {
            "office": {"name": OFFICE, "levels": ["Cấp xã"]},
            "database": {"url": f"sqlite:///{tmp_path / 'assistant.db'}"},
            "catalog": {"path": str(catalog), "cache_path": str(tmp_path / "catalog-cache.pickle")},
        }
    )
    assistant = build_assistant(settings)
    assert len(assistant.knowledge.procedures) == len(CATALOG)
    yield assistant
    assistant.close()


@pytest.fixture
async def telegram(
    real_assistant: Assistant, serve_polling: PollingFactory, fake_api: FakeTelegramAPI
) -> AsyncIterator[FakeTelegramAPI]:
    """The fake Bot API, with the real assistant polling it."""
    async with serve_polling(real_assistant):
        yield fake_api


def data_of(messages: list[SentMessage]) -> list[str]:
    """Every button's callback data in these messages."""
    return [data for m in messages for data in m.button_data]


async def say(api: FakeTelegramAPI, text: str) -> list[SentMessage]:
    """Send a text as the citizen; the bot's whole reply."""
    api.push_text(CHAT, text)
    return await api.next_reply(CHAT)


async def press(api: FakeTelegramAPI, data: str, under: SentMessage) -> list[SentMessage]:
    """Press the button ``data`` under the bot's message ``under``; the bot's whole reply."""
    assert data in under.button_data, f"no button {data!r} under that message"
    api.push_callback(CHAT, data, message_id=under.message_id)
    return await api.next_reply(CHAT)


async def test_start_shows_greeting_and_menu(telegram: FakeTelegramAPI) -> None:
    (greeting,) = await say(telegram, "/start")
    assert "Xin chào!" in greeting.text and OFFICE in greeting.text
    assert greeting.parse_mode == "HTML"
    assert {"m:search", "m:help"} <= set(greeting.button_data)


async def test_search_card_section_and_follow_up(telegram: FakeTelegramAPI) -> None:
    card = (await say(telegram, "đăng ký kết hôn"))[-1]
    assert "1.000894" in card.text and "đăng ký kết hôn" in card.text.lower()
    assert "s:1.000894:docs" in card.button_data

    (legal,) = await press(telegram, "s:1.000894:legal", under=card)
    assert "60/2014/QH13" in legal.text and "Luật Hộ tịch" in legal.text
    assert len(telegram.calls_to("answerCallbackQuery")) == 1

    (fees,) = await say(telegram, "phí bao nhiêu?")
    assert "1.000894" in fees.text and "Miễn phí" in fees.text


async def test_ambiguous_question_offers_choices(telegram: FakeTelegramAPI) -> None:
    offered = await say(telegram, "chứng thực")
    assert {"p:2.000815", "p:2.000884"} <= set(data_of(offered))

    card = (await press(telegram, "p:2.000884", under=offered[-1]))[-1]
    assert "2.000884" in card.text and "Chứng thực chữ ký" in card.text
    assert "s:2.000884:fees" in card.button_data


async def test_lang_switches_to_english(telegram: FakeTelegramAPI) -> None:
    (switched,) = await say(telegram, "/lang")
    assert "Switched to English" in switched.text
    card = (await say(telegram, "đăng ký kết hôn"))[-1]
    assert "1.000894" in card.text
    assert "Processing time" in card.text and "Free of charge" in card.text


async def test_unsupported_message_gets_a_hint(telegram: FakeTelegramAPI) -> None:
    telegram.push_sticker(CHAT)
    (hint,) = await telegram.next_reply(CHAT)
    assert "tin nhắn chữ" in hint.text


async def test_redelivered_question_is_answered_once(telegram: FakeTelegramAPI) -> None:
    telegram.push_text(CHAT, "đăng ký kết hôn", times=2)
    telegram.push_text(CHAT, "/start")
    replies = await telegram.next_reply(CHAT)
    assert sum("1.000894" in m.text for m in replies) == 1
    assert "Xin chào!" in replies[-1].text
