"""The console channel: a real conversation in a terminal, and the outbox printing what it delivers."""

from __future__ import annotations

import io

from rich.console import Console

from bot.app import Assistant
from bot.channels.console import ConsoleChannel, run_console
from bot.contract.messages import Attachment, Choice, Reply


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, highlight=False, color_system=None), out


def test_a_console_conversation_answers_and_numbers_the_buttons(real_assistant: Assistant) -> None:
    console, out = _terminal()
    run_console(real_assistant, stdin=io.StringIO("đăng ký kết hôn\n1\n/quit\nnot read\n"), console=console)
    text = out.getvalue()
    assert "> đăng ký kết hôn" in text and "1.000894" in text
    assert "  [1] " in text  # the card's buttons, answered by number
    assert "not read" not in text


async def test_the_outbox_prints_the_chat_the_text_and_the_files() -> None:
    console, out = _terminal()
    reply = Reply(text="<b>Hồ sơ cần xử lý</b>", choices=[[Choice("▶️ Trang sau", "th:2")]],
                  attachments=[Attachment("ds.csv", b"a,b\n", "text/csv")])  # fmt: skip
    await ConsoleChannel(console, announce=True).send("officer-1", reply)
    assert [line.rstrip() for line in out.getvalue().splitlines()[:4]] == [
        "── outbox → officer-1", "Hồ sơ cần xử lý", "", "  [1] ▶️ Trang sau"
    ]
    assert "📎 ds.csv (4 bytes)" in out.getvalue()
