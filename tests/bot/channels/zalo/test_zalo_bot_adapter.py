"""The Zalo Bot adapter's own behaviour with a scripted assistant: typing indicator, event mapping."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from bot.channels.zalo_bot import ZaloBotAdapter, ZaloBotChannel, event_from_delivery
from bot.contract.messages import Kind, Reply
from bot.schema import create_schema
from bot.storage.conversations import UpdateLog
from bot.storage.db import Database
from tests.fakes.assistant import ScriptedAssistant
from tests.fakes.zalo_bot_api import FakeZaloBotAPI

CHAT = "zc-typing"


def _wait_for_call(api: FakeZaloBotAPI, method: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.calls_to(method):
            return True
        time.sleep(0.01)
    return False


async def test_typing_is_shown_while_a_slow_answer_is_prepared(
    tmp_path: Path, zalo_api: FakeZaloBotAPI, bot_sender: ZaloBotChannel
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'u.db'}")
    create_schema(db)
    gate = threading.Event()

    def slow(incoming):  # type: ignore[no-untyped-def]
        gate.wait(5)
        return [Reply(text="xong")]

    adapter = ZaloBotAdapter(ScriptedAssistant(UpdateLog(db), slow), bot_sender, typing_delay=0.05)
    task = asyncio.create_task(adapter.handle_delivery(zalo_api.text_event(CHAT, "câu hỏi khó")))
    typed = await asyncio.to_thread(_wait_for_call, zalo_api, "sendChatAction")
    gate.set()
    assert await task
    assert typed, "sendChatAction was not called while the handler worked"
    methods = [c.method for c in zalo_api.calls]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert zalo_api.calls_to("sendChatAction")[0].params == {"chat_id": CHAT, "action": "typing"}
    db.dispose()


def test_event_mapping() -> None:
    api = FakeZaloBotAPI()
    text = event_from_delivery(api.text_event("c1", "xin chào", message_id="42"))
    assert text is not None and text.key == "message.text.received:42"
    assert (text.incoming.kind, text.incoming.text, text.incoming.chat_id) == (Kind.TEXT, "xin chào", "c1")
    assert text.incoming.channel == "zalo_bot" and text.incoming.display_name == "Người dân"
    image = api._event("message.image.received", "c1", "43", photo_url="https://x/y.jpg")
    assert event_from_delivery(image).incoming.kind is Kind.UNSUPPORTED  # type: ignore[union-attr]
    assert event_from_delivery({"ok": True, "result": api.sticker_event("c1", "44")}).key.endswith(":44")  # type: ignore[union-attr]
    for junk in (None, [], {}, {"event_name": "message.text.received"}, {"ok": True, "result": "x"},
                 {"event_name": "message.text.received", "message": {"chat": {"id": "c"}}}):  # fmt: skip
        assert event_from_delivery(junk) is None
