"""/reload through the real assistant: problems are reported even after the watcher saw them, and a mass
removal is refused, listed and accepted with the confirm button."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bot.app import Assistant
from bot.contract.callbacks import Action, decode
from bot.contract.messages import Incoming, Kind, Reply


def _catalog(assistant: Assistant) -> Path:
    return assistant.catalog.root


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _send(assistant: Assistant, text: str = "", choice: str = "", channel: str = "console") -> Reply:
    kind = Kind.CHOICE if choice else Kind.TEXT
    [reply] = assistant.handle(Incoming(channel=channel, chat_id="42", user_id="42", kind=kind, text=text,
                                        choice=choice))  # fmt: skip
    return reply


def test_reload_reports_the_problems_the_watcher_already_saw(real_assistant: Assistant) -> None:
    path = next(_catalog(real_assistant).rglob("1.000894.toml"))
    path.write_text(path.read_text(encoding="utf-8").replace("[[ways]]", "[[ways]", 1), encoding="utf-8")
    _touch_later(path)
    assert real_assistant.refresh_catalog().problems  # the watcher's look
    for _ in range(2):  # /reload afterwards, twice: the problem every time, never "không thay đổi"
        reply = _send(real_assistant, "/reload")
        assert "có lỗi" in reply.text and f"{path}:" in reply.text and "không thay đổi" not in reply.text
    assert len(real_assistant.knowledge.procedures) == 4


def test_a_deleted_field_folder_is_refused_listed_and_accepted_with_the_button(real_assistant: Assistant) -> None:
    folder = next(_catalog(real_assistant).rglob("2.000815.toml")).parent  # "Chứng thực": 2 of 4 procedures
    shutil.rmtree(folder)
    assert real_assistant.refresh_catalog().awaiting_confirmation  # the watcher: refused
    reply = _send(real_assistant, "/reload")
    assert "bỏ 2 trong 4 thủ tục" in reply.text and "2.000815, 2.000884" in reply.text
    [[button]] = reply.choices
    callback = decode(button.data)
    assert callback is not None and callback.action is Action.CATALOG_CONFIRM
    assert len(real_assistant.knowledge.procedures) == 4

    other = _send(real_assistant, choice=button.data, channel="telegram")  # not an administrator
    assert "quản trị viên" in other.text and len(real_assistant.knowledge.procedures) == 4

    done = _send(real_assistant, choice=button.data)
    assert "Đã nạp lại danh mục: 2 thủ tục" in done.text and "Đã bỏ 2 thủ tục: 2.000815, 2.000884" in done.text
    assert sorted(real_assistant.knowledge.procedures) == ["1.000894", "1.001193"]
    assert "không thay đổi: 2 thủ tục" in _send(real_assistant, "/reload").text


def test_the_confirmation_reply_is_translated(real_assistant: Assistant) -> None:
    shutil.rmtree(next(_catalog(real_assistant).rglob("2.000815.toml")).parent)
    _send(real_assistant, "/lang en")
    reply = _send(real_assistant, "/reload")
    assert "removes 2 of 4 procedures" in reply.text
    assert reply.choices[0][0].label == "✅ Confirm removing 2 procedures"
