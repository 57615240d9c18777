"""Fixtures for the web chat: the real assistant with ``[channels.webchat]`` on, the app built by the registry."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bot.app import Assistant
from bot.channels import registry
from bot.channels.webhook import create_web_app
from bot.config import ENV_SECRET_KEY, ChannelSettings

SECRET = "test-secret-key-for-the-web-chat-0123456789"
PORTAL = "https://dichvucong.tinh.example.vn"
BASE_URL = "http://chat.test"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed server secret (session tokens, verification digests), so no key file is written."""
    monkeypatch.setenv(ENV_SECRET_KEY, SECRET)


def enable_web_chat(assistant: Assistant, **options: Any) -> None:
    """Turn ``[channels.webchat]`` on in the assistant's settings, with ``options``."""
    channels = assistant.settings.channels.model_dump()
    channels["webchat"] = {"enabled": True, "allowed_origins": [PORTAL], **options}
    assistant.settings.channels = ChannelSettings.model_validate(channels)


@pytest.fixture
async def web(real_assistant: Assistant) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the ASGI app the registry builds (web chat on), in-process."""
    enable_web_chat(real_assistant)
    app = create_web_app(registry.web_channels(real_assistant, real_assistant.db))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@dataclass
class Visitor:
    """One browser: its token and the last message number it has, like the widget keeps them."""

    web: httpx.AsyncClient
    token: str = ""
    cursor: int = 0
    sent: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of this visitor."""
        return {"Authorization": f"Bearer {self.token}"}

    async def start(self) -> Visitor:
        """Open a session."""
        answer = await self.web.post("/webchat/api/session")
        assert answer.status_code == 201
        self.token = answer.json()["token"]
        return self

    async def post(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """POST a message; the new messages of the answer (200 expected)."""
        answer = await self.web.post("/webchat/api/messages", json={"after": self.cursor, **body}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return self._take(answer.json())

    async def ask(self, text: str) -> list[dict[str, Any]]:
        """Type ``text``."""
        self.sent += 1
        return await self.post({"id": f"question-{self.sent:04d}", "text": text})

    async def press(self, data: str) -> list[dict[str, Any]]:
        """Press the button with ``data``."""
        self.sent += 1
        return await self.post({"id": f"button-{self.sent:04d}", "choice": data})

    async def poll(self) -> list[dict[str, Any]]:
        """What arrived since the last look."""
        answer = await self.web.get(f"/webchat/api/messages?after={self.cursor}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return self._take(answer.json())

    def _take(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        self.cursor = body["cursor"]
        self.token = body.get("token", self.token)
        self.seen += body["messages"]
        return list(body["messages"])


def button(message: dict[str, Any], starting: str) -> str:
    """The data of the button whose label starts with ``starting``."""
    return next(b["data"] for row in message["buttons"] for b in row if b["label"].startswith(starting))
