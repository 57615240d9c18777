"""The Telegram adapter with a scripted assistant, through the real library and the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest

from bot.contract.messages import Attachment, Choice, Incoming, Kind, Reply
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.telegram_api import FakeTelegramAPI

CHAT = 4242

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_text_becomes_incoming(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.push_text(CHAT, "đăng ký kết hôn", user_id=77, language_code="en")
    await fake_api.next_messages(CHAT)
    assert assistant.seen == [
        Incoming(
            channel="telegram",
            chat_id=str(CHAT),
            user_id="77",
            kind=Kind.TEXT,
            text="đăng ký kết hôn",
            display_name="Người Dân",
            language_hint="en",
        )
    ]


async def test_commands_pass_through_without_the_bot_name(
    assistant: ScriptedAssistant, fake_api: FakeTelegramAPI
) -> None:
    fake_api.push_text(CHAT, "/start")
    fake_api.push_text(CHAT, "/lang@fake_tthc_bot en")
    await fake_api.next_messages(CHAT, 2)
    assert [(i.kind, i.text) for i in assistant.seen] == [(Kind.TEXT, "/start"), (Kind.TEXT, "/lang en")]


async def test_button_press_becomes_choice_and_is_answered(
    assistant: ScriptedAssistant, fake_api: FakeTelegramAPI
) -> None:
    update = fake_api.push_callback(CHAT, "p:1.001234", message_id=5)
    await fake_api.next_messages(CHAT)
    assert [(i.kind, i.choice, i.chat_id) for i in assistant.seen] == [(Kind.CHOICE, "p:1.001234", str(CHAT))]
    answers = fake_api.calls_to("answerCallbackQuery")
    assert [c.params["callback_query_id"] for c in answers] == [update["callback_query"]["id"]]


async def test_stickers_and_photos_are_unsupported(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.push_sticker(CHAT)
    fake_api.push_photo(CHAT)
    sent = await fake_api.next_messages(CHAT, 2)
    assert [i.kind for i in assistant.seen] == [Kind.UNSUPPORTED, Kind.UNSUPPORTED]
    assert [m.text for m in sent] == ["got unsupported", "got unsupported"]


async def test_redelivered_update_is_handled_once(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.push_text(CHAT, "lần một", times=2)  # the same update_id delivered twice
    fake_api.push_text(CHAT, "lần hai")
    await fake_api.next_messages(CHAT, 2)
    assert [i.text for i in assistant.seen] == ["lần một", "lần hai"]
    assert len(fake_api.calls_to("sendMessage")) == 2


async def test_edits_and_channel_posts_are_ignored(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.push_edited_text(CHAT, "sửa lại")
    fake_api.push_channel_post(-100123, "bài đăng")
    fake_api.push_text(CHAT, "xin chào")
    await fake_api.next_messages(CHAT)
    assert [i.text for i in assistant.seen] == ["xin chào"]
    assert fake_api.messages(-100123) == []


async def test_only_messages_and_button_presses_are_requested(fake_api: FakeTelegramAPI) -> None:
    polls = await fake_api.calls_of("getUpdates")
    assert polls[0].params["allowed_updates"] == ["message", "callback_query"]


async def test_html_reply_with_keyboard(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    assistant.script = lambda _: [
        Reply(
            text='<b>Đăng ký kết hôn</b> — <i>cấp xã</i> &amp; <a href="https://dichvucong.gov.vn">nộp</a>',
            choices=[[Choice("Hồ sơ", "s:docs"), Choice("Lệ phí", "s:fee")], [Choice("Menu", "menu")]],
        )
    ]
    fake_api.push_text(CHAT, "kết hôn")
    (sent,) = await fake_api.next_messages(CHAT)
    assert sent.parse_mode == "HTML"
    assert sent.text.startswith("<b>Đăng ký kết hôn</b>")
    assert sent.buttons == [[("Hồ sơ", "s:docs"), ("Lệ phí", "s:fee")], [("Menu", "menu")]]


async def test_long_reply_is_split_with_keyboard_on_last_piece(
    assistant: ScriptedAssistant, fake_api: FakeTelegramAPI
) -> None:
    paragraphs = [f"<b>Bước {n}</b>: " + "nộp hồ sơ tại bộ phận một cửa " * 12 for n in range(30)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 10_000
    assistant.script = lambda _: [Reply(text=text, choices=[[Choice("Thêm", "more")]])]
    fake_api.push_text(CHAT, "dài")
    sent = await fake_api.next_reply(CHAT)
    assert len(sent) >= 3
    assert all(len(m.text) <= 4096 for m in sent)
    assert [m.buttons for m in sent] == [[]] * (len(sent) - 1) + [[[("Thêm", "more")]]]
    assert "Bước 0" in sent[0].text and "Bước 29" in sent[-1].text


async def test_callback_data_over_64_bytes_is_not_sent(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    too_long = "đ" * 33  # 33 characters but 66 bytes
    assistant.script = lambda _: [Reply(text="Chọn:", choices=[[Choice("Được", "ok")], [Choice("Quá dài", too_long)]])]
    fake_api.push_text(CHAT, "chọn")
    (sent,) = await fake_api.next_messages(CHAT)
    assert sent.buttons == [[("Được", "ok")]]


async def test_html_telegram_refuses_is_sent_as_plain_text(
    assistant: ScriptedAssistant, fake_api: FakeTelegramAPI
) -> None:
    assistant.script = lambda _: [Reply(text="Phí <u2>50.000</u2> đồng &amp; miễn phí", choices=[[Choice("A", "a")]])]
    fake_api.push_text(CHAT, "phí")
    (sent,) = await fake_api.next_messages(CHAT)
    assert sent.parse_mode is None
    assert sent.text == "Phí 50.000 đồng & miễn phí"
    assert sent.buttons == [[("A", "a")]]
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [400, 200]


async def test_attachments_go_as_document_and_photo(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    csv = Attachment("ho-so.csv", "mã,trạng thái\n1,đúng hạn\n".encode(), "text/csv")
    png = Attachment("bieu-do.png", b"\x89PNG\r\n\x1a\nfake", "image/png")
    assistant.script = lambda _: [Reply(text="Báo cáo", attachments=[csv, png])]
    fake_api.push_text(CHAT, "báo cáo")
    text, document, photo = await fake_api.next_messages(CHAT, 3)
    assert text.text == "Báo cáo"
    assert (document.method, document.filename, document.content) == (
        "sendDocument",
        "ho-so.csv",
        csv.content,
    )
    assert (photo.method, photo.filename, photo.content) == ("sendPhoto", "bieu-do.png", png.content)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside PTB
async def test_flood_control_is_sat_out(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.fail_next("sendMessage", status=429, retry_after=1)
    fake_api.push_text(CHAT, "xin chào")
    (sent,) = await fake_api.next_messages(CHAT, timeout=5)
    assert sent.text == "got text"
    assert [c.status for c in fake_api.calls_to("sendMessage")] == [429, 200]


async def test_a_failing_handler_does_not_stop_the_bot(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    def script(incoming: Incoming) -> list[Reply]:
        if incoming.text == "hỏng":
            raise RuntimeError("boom")
        return [Reply(text="vẫn chạy")]

    assistant.script = script
    fake_api.push_text(CHAT, "hỏng")
    fake_api.push_text(CHAT, "tiếp")
    (sent,) = await fake_api.next_messages(CHAT)
    assert sent.text == "vẫn chạy"
    assert [i.text for i in assistant.seen] == ["hỏng", "tiếp"]


async def test_polling_survives_a_server_error(assistant: ScriptedAssistant, fake_api: FakeTelegramAPI) -> None:
    fake_api.fail_next("getUpdates", times=1, status=500)
    for _ in range(100):  # the poll in flight ends within its 1 s timeout; the next one fails
        if 500 in [c.status for c in fake_api.calls_to("getUpdates")]:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the injected 500 was never served")
    fake_api.push_text(CHAT, "xin chào")
    (sent,) = await fake_api.next_messages(CHAT, timeout=8)
    assert sent.text == "got text"
