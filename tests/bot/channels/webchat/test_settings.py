"""``[channels.webchat]`` read from a config file by the channel itself; off unless enabled; typos refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.channels import registry
from bot.channels.webchat.channel import web_chat_settings
from bot.channels.webchat.settings import WebChatSettings
from bot.config import ConfigError, Settings, load_settings
from bot.schema import table_modules


def _settings(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_the_section_is_read_and_turns_the_channel_on(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[channels.webchat]\nenabled = true\nallowed_origins = ["https://a.gov.vn"]\n'
                                   "poll_seconds = 30\n")  # fmt: skip
    config = web_chat_settings(settings)
    assert (config.enabled, config.allowed_origins, config.poll_seconds) == (True, ["https://a.gov.vn"], 30)
    assert "webchat" in [r.name for r in registry.enabled(settings)]


def test_without_the_section_the_web_chat_is_off(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "")
    assert web_chat_settings(settings) == WebChatSettings()
    assert "webchat" not in [r.name for r in registry.enabled(settings)]


@pytest.mark.parametrize("text, message", [
    ("[channels.webchat]\npoll_seconds = 1\n", "channels.webchat.poll_seconds"),
    ("[channels.webchat]\nenabeld = true\n", "channels.webchat.enabeld"),
    ("[channels]\nwebchat = 3\n", "channels.webchat"),
    ("[channels.webchta]\nenabled = true\n", "[channels.webchta]: no such channel"),
])  # fmt: skip
def test_mistakes_in_the_section_are_configuration_errors_naming_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    settings = _settings(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        registry.enabled(settings)


def test_the_declared_channels_still_refuse_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape("channels.zalo_bot.enabeld")):
        _settings(tmp_path, "[channels.zalo_bot]\nenabeld = true\n")


def test_the_schema_finds_the_mailbox_table_module_by_its_name() -> None:
    assert "bot.channels.webchat.models" in table_modules()
    assert {"bot.storage.models", "bot.outbox.models", "bot.channels.zalo_models"} <= set(table_modules())
