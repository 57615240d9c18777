"""Whole conversations on Zalo Bot: signed webhook requests in, the real assistant, the fake Bot API out."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import Assistant
from bot.channels.zalo_bot import ZALO_BOT_SECRET_HEADER, ZaloBotAdapter, ZaloBotChannel
from bot.outbox.models import OutboxMessage
from bot.storage.models import ProcessedUpdate
from tests.bot.channels.zalo.conftest import BOT_SECRET
from tests.fakes.real_assistant import OFFICE
from tests.fakes.zalo_bot_api import FakeZaloBotAPI, Sent

CHAT = "zc-1001"


async def post(web: httpx.AsyncClient, event: Any, secret: str | None = BOT_SECRET) -> httpx.Response:
    """POST a webhook delivery as Zalo would."""
    headers = {ZALO_BOT_SECRET_HEADER: secret} if secret is not None else {}
    return await web.post("/zalo/bot", json=event, headers=headers)


async def say(web: httpx.AsyncClient, api: FakeZaloBotAPI, text: str, chat: str = CHAT) -> list[Sent]:
    """The citizen sends ``text``; everything the bot sent back."""
    answer = await post(web, api.text_event(chat, text))
    assert answer.status_code == 200
    return api.take(chat)


def numbered(sent: Sent) -> list[str]:
    """The labels of the numbered list at the end of a message."""
    lines = sent.text.split("\n")
    return [line.split(". ", 1)[1] for line in lines if line[:1].isdigit() and ". " in line[:4]]


def claimed(assistant: Assistant) -> int:
    with assistant.db.session() as s:
        return s.scalar(select(func.count()).select_from(ProcessedUpdate).where(ProcessedUpdate.channel == "zalo_bot"))


async def test_start_greets_with_office_name_as_plain_text(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    (greeting,) = await say(web, zalo_api, "/start")
    assert "Xin chào!" in greeting.text and OFFICE in greeting.text
    assert "<b>" not in greeting.text and "&amp;" not in greeting.text
    assert numbered(greeting), "the menu is offered as a numbered list"


async def test_numbered_choice_opens_the_procedure_card(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    offered = (await say(web, zalo_api, "chứng thực"))[-1]
    labels = numbered(offered)
    assert len(labels) >= 2
    wanted = next(i for i, label in enumerate(labels, 1) if "chữ ký" in label)

    card = (await say(web, zalo_api, str(wanted)))[-1]
    assert "2.000884" in card.text and "Chứng thực chữ ký" in card.text

    sections = numbered(card)
    assert sections, "the card offers its sections as a numbered list"
    fees_number = next(i for i, label in enumerate(sections, 1) if "Phí" in label or "phí" in label)
    (fees,) = await say(web, zalo_api, f"{fees_number}.")
    assert "10.000" in fees.text


async def test_a_stale_number_gets_a_clear_message(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    await say(web, zalo_api, "chứng thực")
    (stale,) = await say(web, zalo_api, "9")
    assert "không còn hiệu lực" in stale.text


async def test_typing_the_option_text_finds_it(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    offered = (await say(web, zalo_api, "chứng thực"))[-1]
    label = next(label for label in numbered(offered) if "chữ ký" in label)
    card = (await say(web, zalo_api, label))[-1]
    assert "2.000884" in card.text


async def test_sticker_gets_a_polite_text_reply(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    answer = await post(web, zalo_api.sticker_event(CHAT))
    assert answer.status_code == 200
    (hint,) = zalo_api.take(CHAT)
    assert "tin nhắn chữ" in hint.text


async def test_wrapped_delivery_is_unwrapped(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    answer = await post(web, {"ok": True, "result": zalo_api.text_event(CHAT, "đăng ký kết hôn")})
    assert answer.status_code == 200
    assert "1.000894" in zalo_api.take(CHAT)[-1].text


async def test_duplicate_delivery_is_answered_once(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, real_assistant: Assistant
) -> None:
    event = zalo_api.text_event(CHAT, "đăng ký kết hôn", message_id="dup-1")
    answers = await asyncio.gather(*(post(web, event) for _ in range(3)))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sum("1.000894" in m.text for m in zalo_api.take(CHAT)) == 1
    assert claimed(real_assistant) == 1


async def test_same_message_id_of_another_event_is_not_a_duplicate(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI
) -> None:
    await post(web, zalo_api.text_event(CHAT, "xin chào", message_id="m-7"))
    await post(web, zalo_api.sticker_event(CHAT, message_id="m-7"))
    assert len(zalo_api.take(CHAT)) == 2


async def test_missing_or_wrong_secret_is_refused_and_nothing_processed(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, real_assistant: Assistant
) -> None:
    event = zalo_api.text_event(CHAT, "đăng ký kết hôn")
    for secret in (None, "", "wrong-secret", BOT_SECRET + "x", BOT_SECRET[:-1]):
        answer = await post(web, event, secret)
        assert answer.status_code == 403
    assert zalo_api.calls == []
    assert claimed(real_assistant) == 0


async def test_malformed_and_oversized_bodies(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    headers = {ZALO_BOT_SECRET_HEADER: BOT_SECRET, "Content-Type": "application/json"}
    assert (await web.post("/zalo/bot", content=b"{not json", headers=headers)).status_code == 400
    assert (await web.post("/zalo/bot", content=b"[1, 2]", headers=headers)).status_code == 400
    big = json.dumps(zalo_api.text_event(CHAT, "a" * 30_000)).encode()
    assert (await web.post("/zalo/bot", content=big, headers=headers)).status_code == 413
    assert zalo_api.calls == []


async def test_every_message_fits_the_limit(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    for question in ("/help", "/linhvuc", "đăng ký kết hôn", "chứng thực", "a" * 2500):
        for sent in await say(web, zalo_api, question):
            assert 0 < len(sent.text) <= 2000


async def test_api_429_defers_the_reply_to_the_outbox(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI, real_assistant: Assistant
) -> None:
    zalo_api.fail_next("sendMessage", 1, status=429, retry_after=7)
    answer = await post(web, zalo_api.text_event(CHAT, "đăng ký kết hôn"))
    assert answer.status_code == 200
    assert zalo_api.take(CHAT) == []
    with real_assistant.db.session() as s:
        rows = s.scalars(select(OutboxMessage)).all()
    assert [(r.channel, r.chat_id, r.status) for r in rows] == [("zalo_bot", CHAT, "pending")]
    assert "1.000894" in rows[0].text


async def test_long_polling_answers_queued_events(
    real_assistant: Assistant, zalo_api: FakeZaloBotAPI, bot_sender: ZaloBotChannel
) -> None:
    adapter = ZaloBotAdapter(real_assistant, bot_sender)
    stop = asyncio.Event()
    zalo_api.push(zalo_api.text_event(CHAT, "/start"))
    zalo_api.push(zalo_api.text_event(CHAT, "đăng ký kết hôn"))
    poller = asyncio.create_task(adapter.poll(stop, timeout=1))
    try:
        sent = await asyncio.to_thread(zalo_api.wait_for, CHAT, 2)
    finally:
        stop.set()
        await poller
    assert "Xin chào!" in sent[0].text
    assert "1.000894" in sent[-1].text


async def test_feedback_with_numbers_and_a_comment(web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI) -> None:
    (scale,) = await say(web, zalo_api, "/danhgia")
    labels = numbered(scale)
    assert len(labels) == 5 and "Hài lòng" in labels[1]
    (recorded,) = await say(web, zalo_api, "2")
    assert "Đã ghi nhận" in recorded.text and "Hài lòng" in recorded.text
    (saved,) = await say(web, zalo_api, "Cán bộ hướng dẫn rất nhiệt tình")
    assert "Đã lưu góp ý" in saved.text
    only_comment = next(i for i, label in enumerate(numbered(saved), 1) if "không cần trả lời" in label)
    (thanks,) = await say(web, zalo_api, str(only_comment))
    assert "Cảm ơn" in thanks.text or "cảm ơn" in thanks.text


def test_choices_the_text_already_numbers_are_not_repeated() -> None:
    from bot.channels.base import text_pieces
    from bot.channels.zalo_bot import CAPABILITIES
    from bot.contract.messages import Choice, Reply

    reply = Reply(text="Bạn cần thủ tục nào?\n1. Chứng thực bản sao — Cấp xã\n2. Chứng thực chữ ký — Cấp xã",
                  choices=[[Choice("Chứng thực bản sao", "p:1")], [Choice("Chứng thực chữ…", "p:2")],
                           [Choice("Không có thủ tục tôi cần", "n")]])  # fmt: skip
    (text,) = [piece.text for piece in text_pieces(reply, CAPABILITIES)]
    assert text.count("1. ") == 1 and text.count("2. ") == 1
    assert text.endswith("\n\n3. Không có thủ tục tôi cần")


async def test_birth_registration_documents_in_one_zalo_message(
    web: httpx.AsyncClient, zalo_api: FakeZaloBotAPI
) -> None:
    await say(web, zalo_api, "đăng ký khai sinh")
    (docs,) = await say(web, zalo_api, "cần giấy tờ gì")
    assert len(docs.text) <= 2000 and "<b>" not in docs.text
    lines = docs.text.split("\n")
    assert lines[2].startswith("• Tờ khai đăng ký khai sinh theo mẫu")
    assert lines.count("1. Trẻ em bị bỏ rơi") == 1, "the case is numbered once, and its number selects it"
    (case,) = await say(web, zalo_api, "1")
    assert "Biên bản về việc trẻ bị bỏ rơi" in case.text
