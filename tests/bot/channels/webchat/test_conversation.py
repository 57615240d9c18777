"""A visitor's conversation through the JSON API: the same answers as every channel, buttons as buttons."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from bot.app import Assistant
from bot.channels.webchat.api import HISTORY
from bot.clock import ManualClock
from bot.storage.models import ProcessedUpdate
from tests.bot.channels.webchat.conftest import Visitor, button
from tests.fakes.real_assistant import OFFICE


async def test_a_question_gets_the_card_with_its_buttons_and_a_button_gets_its_section(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    (card,) = await visitor.ask("đăng ký kết hôn")
    assert "<b>Thủ tục đăng ký kết hôn</b>" in card["text"] and "1.000894" in card["text"]
    assert [b["label"] for b in card["buttons"][0]] == ["📄 Giấy tờ cần mang", "🪜 Các bước"]
    (fees,) = await visitor.press(button(card, "💰"))
    assert fees["text"].startswith("<b>Phí, lệ phí</b>") and "Miễn phí" in fees["text"]
    assert (card["seq"], fees["seq"]) == (1, 2) and visitor.cursor == 2


async def test_start_greets_with_the_menu_and_the_language_button_switches_to_english(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    (greeting,) = await visitor.ask("/start")
    assert OFFICE in greeting["text"]
    (switched,) = await visitor.press(button(greeting, "🌐"))
    assert "English" in switched["text"] and button(switched, "🔎").startswith("m:")


async def test_candidates_are_buttons_and_typing_their_number_works_too(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    (choices,) = await visitor.ask("chứng thực")
    # the two close candidates (weak matches under half the best score are not listed) and "none of these"
    assert [[b["data"] for b in row] for row in choices["buttons"]] == [["p:2.000884"], ["p:2.000815"], ["fl:0"]]
    (card,) = await visitor.ask("2")  # as on every channel, the number of a candidate selects it
    assert "2.000815" in card["text"] and card["buttons"]


async def test_forged_or_outdated_button_data_gets_the_outdated_button_reply(web: httpx.AsyncClient) -> None:
    visitor = await Visitor(web).start()
    for data in ("p:9.999999", "s:1.000894:nope", "x" * 300, "", "🙂:🙂", "p:1.000894:extra"):
        (reply,) = await visitor.press(data)
        assert "không còn hiệu lực" in reply["text"], data
    follow = await visitor.press("ds:1")  # well-formed, but this visitor never verified dossier 1
    assert "xác minh" in follow[0]["text"]


async def test_a_message_sent_again_with_the_same_id_is_answered_once(
    web: httpx.AsyncClient, real_assistant: Assistant
) -> None:
    visitor = await Visitor(web).start()
    first = await visitor.post({"id": "same-id-0001", "text": "đăng ký kết hôn", "after": 0})
    again = await visitor.post({"id": "same-id-0001", "text": "đăng ký kết hôn", "after": 0})
    assert [m["seq"] for m in first] == [1] and [m["seq"] for m in again] == [1]  # the stored answer, not a new one
    with real_assistant.db.session() as s:
        claims = s.scalar(select(func.count()).select_from(ProcessedUpdate).where(ProcessedUpdate.channel == "webchat"))
    assert claims == 1


async def test_history_restores_the_last_messages_and_polling_returns_nothing_new(
    web: httpx.AsyncClient, manual_clock: ManualClock
) -> None:
    visitor = await Visitor(web).start()
    for _ in range(HISTORY // 2 + 1):
        await visitor.ask("/start")
        await visitor.ask("đăng ký kết hôn")
        manual_clock.advance(5)  # 24 messages a minute: under the flood limit
    assert visitor.cursor == 2 * (HISTORY // 2 + 1)
    answer = await web.get("/webchat/api/messages", headers=visitor.headers)
    body = answer.json()
    assert [m["seq"] for m in body["messages"]] == list(range(visitor.cursor - HISTORY + 1, visitor.cursor + 1))
    assert body["cursor"] == visitor.cursor
    assert await visitor.poll() == []


async def test_the_flood_limit_of_every_channel_applies_per_visitor(
    web: httpx.AsyncClient, real_assistant: Assistant, manual_clock: ManualClock
) -> None:
    limit = real_assistant.settings.limits.messages_per_minute
    visitor = await Visitor(web).start()
    for _ in range(limit):
        assert await visitor.ask("đăng ký kết hôn")
    (slow_down,) = await visitor.ask("đăng ký kết hôn")
    assert "hơi nhanh" in slow_down["text"]
    assert await visitor.ask("đăng ký kết hôn") == []  # then silence until the minute is over
    other = await Visitor(web).start()
    assert await other.ask("đăng ký kết hôn")  # another visitor is not slowed down
    manual_clock.advance(60)
    assert await visitor.ask("đăng ký kết hôn")


async def test_two_visitors_never_see_each_others_messages(web: httpx.AsyncClient) -> None:
    alice, bob = await Visitor(web).start(), await Visitor(web).start()
    await alice.ask("đăng ký kết hôn")
    assert await bob.poll() == []
    (greeting,) = await bob.ask("/start")
    assert greeting["seq"] == 1 and "1.000894" not in greeting["text"]
