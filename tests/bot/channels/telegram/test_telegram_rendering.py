"""Pure rules of the Telegram adapter: keyboards and configuration checks (no network)."""

from __future__ import annotations

import pytest

from bot.channels.telegram import keyboard_for, run_telegram
from bot.config import ENV_TELEGRAM_TOKEN, ConfigError
from bot.contract.messages import Choice
from tests.fakes.assistant import ScriptedAssistant


def test_keyboard_keeps_rows_and_order() -> None:
    markup = keyboard_for([[Choice("Hồ sơ", "s:docs"), Choice("Lệ phí", "s:fee")], [Choice("Menu", "menu")]])
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("Hồ sơ", "s:docs"), ("Lệ phí", "s:fee")], [("Menu", "menu")]]


def test_keyboard_drops_bad_data_and_emptied_rows() -> None:
    markup = keyboard_for([[Choice("x", "")], [Choice("a", "a"), Choice("b", "b" * 65)]])
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [[("a", "a")]]


def test_no_keyboard_when_nothing_is_left() -> None:
    assert keyboard_for([]) is None
    assert keyboard_for([[Choice("x", "x" * 65)]]) is None


def test_exactly_64_bytes_is_allowed() -> None:
    markup = keyboard_for([[Choice("ok", "ạ" * 21 + "x")]])  # 21 × 3 bytes + 1 = 64
    assert markup is not None


def test_run_telegram_without_token_says_what_to_do(
    assistant: ScriptedAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_TELEGRAM_TOKEN, raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        run_telegram(assistant)
