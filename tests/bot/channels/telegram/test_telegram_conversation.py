"""Whole conversations on Telegram: the real Assistant, the real Application, the fake Bot API.

A small catalog is written to a temporary folder, the assistant keeps its state in a temporary SQLite
file, and the library long-polls the local fake server, so each exchange goes through HTTP both ways.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import Assistant
from tests.fakes.polling import PollingFactory
from tests.fakes.real_assistant import OFFICE
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage

CHAT = 90001




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


async def test_birth_registration_documents_in_one_message_then_a_case(telegram: FakeTelegramAPI) -> None:
    await say(telegram, "đăng ký khai sinh")
    (docs,) = await say(telegram, "cần giấy tờ gì")
    assert docs.text.split("\n")[2].startswith("• Tờ khai đăng ký khai sinh theo mẫu")
    assert len(docs.text) <= 4096 and "1. Trẻ em bị bỏ rơi" in docs.text
    (case,) = await press(telegram, "d:1.001193:docs:0", docs)
    assert "Biên bản về việc trẻ bị bỏ rơi" in case.text
    full = await press(telegram, "d:1.001193:docs:all", case)
    assert all(len(m.text) <= 4096 for m in full)
    assert "Lưu ý của Cổng Dịch vụ công" in "".join(m.text for m in full)
