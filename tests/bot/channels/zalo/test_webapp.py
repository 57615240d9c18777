"""The combined webhook app built from the settings: health, both Zalo routes, webhook registration."""

from __future__ import annotations

import httpx
import pytest

from bot.app import Assistant
from bot.channels import registry
from bot.channels.webhook import create_web_app
from bot.channels.zalo_bot import ZALO_BOT_SECRET_HEADER
from bot.config import (
    ENV_ZALO_APP_SECRET,
    ENV_ZALO_BOT_SECRET,
    ENV_ZALO_BOT_TOKEN,
    ENV_ZALO_OA_REFRESH_TOKEN,
    ENV_ZALO_OA_SECRET,
    ConfigError,
)
from tests.bot.channels.inbox_helpers import answered, deliver
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

SECRET = "bot-secret-from-env-1"


def _configure(assistant: Assistant, bot: FakeZaloBotAPI, oa: FakeZaloOA) -> None:
    channels = assistant.settings.channels
    channels.zalo_bot = channels.zalo_bot.model_copy(update={
        "enabled": True, "webhook_url": "https://bot.example.gov.vn/zalo/bot", "base_url": bot.base_url})
    channels.zalo_oa = channels.zalo_oa.model_copy(update={
        "enabled": True, "app_id": oa.app_id, "base_url": oa.url, "oauth_url": oa.url})  # fmt: skip


async def test_app_from_settings_serves_both_channels(
    real_assistant: Assistant, zalo_api: FakeZaloBotAPI, oa_api: FakeZaloOA, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ((ENV_ZALO_BOT_TOKEN, zalo_api.token), (ENV_ZALO_BOT_SECRET, SECRET),
                        (ENV_ZALO_OA_SECRET, oa_api.oa_secret), (ENV_ZALO_APP_SECRET, oa_api.app_secret),
                        (ENV_ZALO_OA_REFRESH_TOKEN, "RT-0")):  # fmt: skip
        monkeypatch.setenv(name, value)
    _configure(real_assistant, zalo_api, oa_api)
    app = create_web_app(registry.web_channels(real_assistant, real_assistant.db))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as web:
        assert zalo_api.webhook == {"url": "https://bot.example.gov.vn/zalo/bot", "secret_token": SECRET}
        assert (await web.get("/healthz")).text == "ok"
        event = zalo_api.text_event("c9", "đăng ký kết hôn")
        assert (await web.post("/zalo/bot", json=event, headers={ZALO_BOT_SECRET_HEADER: SECRET})).status_code == 200
        body, headers = oa_api.signed(oa_api.event("follow", "f1"))
        assert (await web.post("/zalo/oa", content=body, headers=headers)).status_code == 200
        await answered(real_assistant.db)  # acknowledged at once, answered by the inbox worker
    assert await deliver(real_assistant) >= 2
    assert "1.000894" in zalo_api.messages("c9")[-1].text
    assert "Xin chào!" in oa_api.texts_to("f1")[0]


def test_missing_secrets_are_configuration_errors(
    real_assistant: Assistant, zalo_api: FakeZaloBotAPI, oa_api: FakeZaloOA, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (ENV_ZALO_BOT_TOKEN, ENV_ZALO_BOT_SECRET, ENV_ZALO_OA_SECRET, ENV_ZALO_APP_SECRET):
        monkeypatch.delenv(name, raising=False)
    _configure(real_assistant, zalo_api, oa_api)
    with pytest.raises(ConfigError, match="ZALO_BOT_WEBHOOK_SECRET"):
        registry.web_channels(real_assistant, real_assistant.db)
    monkeypatch.setenv(ENV_ZALO_BOT_SECRET, SECRET)
    with pytest.raises(ConfigError, match="ZALO_BOT_TOKEN"):
        registry.web_channels(real_assistant, real_assistant.db)
