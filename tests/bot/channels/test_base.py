"""The shared base of every channel: a Reply adapted to what the platform can show, once for all channels."""

from __future__ import annotations

from dataclasses import replace

from bot.channels.base import File, Text, render
from bot.contract.capabilities import DEFAULT, Capabilities
from bot.contract.messages import Attachment, Choice, Reply

PLAIN = Capabilities(buttons=False, max_text=2000, html=False, photos=False, files=False, proactive=True)
CSV = Attachment("ds.csv", b"a,b\n", "text/csv")
PNG = Attachment("chart.png", b"\x89PNG", "image/png")


def test_buttons_stay_buttons_on_the_last_piece() -> None:
    reply = Reply(text="<b>Đăng ký kết hôn</b>\n\n" + "x " * 3000, choices=[[Choice("📄 Giấy tờ", "s:1.000894:docs")]])
    parts = render(reply, DEFAULT, "Telegram")
    assert len(parts) == 2 and all(isinstance(p, Text) and len(p.text) <= 4096 for p in parts)
    assert [p.choices for p in parts if isinstance(p, Text)] == [[], reply.choices]
    assert parts[0].text.startswith("<b>Đăng ký kết hôn</b>")


def test_without_buttons_choices_become_a_numbered_list_in_plain_text() -> None:
    reply = Reply(text="Bạn cần <b>thủ tục</b> nào?", choices=[[Choice("Kết hôn", "p:1"), Choice("Khai sinh", "p:2")]])
    (part,) = render(reply, PLAIN, "Zalo")
    assert part == Text("Bạn cần thủ tục nào?\n\n1. Kết hôn\n2. Khai sinh")


def test_a_lone_keyboard_gets_a_message_to_hang_on() -> None:
    reply = Reply(text="", choices=[[Choice("⬅️ Về menu chính", "h")]])
    assert render(reply, DEFAULT, "Telegram") == [Text("…", reply.choices)]


def test_attachments_as_photo_file_or_a_note() -> None:
    reply = Reply(text="Báo cáo", attachments=[PNG, CSV])
    assert render(reply, DEFAULT, "Telegram")[1:] == [File(PNG, as_photo=True), File(CSV, as_photo=False)]
    photos_only = render(reply, replace(PLAIN, photos=True), "Zalo")
    assert photos_only[1] == File(PNG, as_photo=True)
    assert isinstance(photos_only[2], Text) and "ds.csv" in photos_only[2].text and "Zalo" in photos_only[2].text
