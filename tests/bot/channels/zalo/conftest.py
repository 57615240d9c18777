"""Fixtures for the Zalo tests: fake Zalo servers on 127.0.0.1, the real assistant, in-process webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from bot.app import Assistant
from bot.channels.webhook import WebChannels, create_web_app
from bot.channels.zalo_bot import ZaloBotAdapter, ZaloBotChannel, ZaloBotClient, zalo_bot_route
from bot.channels.zalo_oa import ZaloOAAdapter, ZaloOAChannel, ZaloOAClient, zalo_oa_route
from bot.channels.zalo_tokens import OAuthClient, ZaloTokenStore
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

BOT_SECRET = "zalo-webhook-secret_1"


@pytest.fixture
def zalo_api() -> Iterator[FakeZaloBotAPI]:
    """A fake Zalo Bot Platform API."""
    with FakeZaloBotAPI() as api:
        yield api


@pytest.fixture
def oa_api() -> Iterator[FakeZaloOA]:
    """A fake OA API + OAuth server."""
    with FakeZaloOA() as api:
        yield api


@pytest.fixture
async def bot_sender(zalo_api: FakeZaloBotAPI) -> AsyncIterator[ZaloBotChannel]:
    """A Zalo Bot sender talking to the fake API."""
    client = ZaloBotClient(zalo_api.token, zalo_api.base_url, timeout=5.0)
    yield ZaloBotChannel(client)
    await client.aclose()


def token_store(db, oa_api: FakeZaloOA) -> ZaloTokenStore:  # type: ignore[no-untyped-def]
    """A token store for the fake OA, seeded with its first refresh token."""
    store = ZaloTokenStore(db, OAuthClient(oa_api.app_id, oa_api.app_secret, oa_api.url, timeout=5.0),
                           margin=timedelta(minutes=10))  # fmt: skip
    store.seed("RT-0")
    return store


@pytest.fixture
async def oa_sender(real_assistant: Assistant, oa_api: FakeZaloOA) -> AsyncIterator[ZaloOAChannel]:
    """An OA sender whose tokens live in the assistant's database."""
    client = ZaloOAClient(token_store(real_assistant.db, oa_api), oa_api.url, timeout=5.0)
    yield ZaloOAChannel(client)
    await client.aclose()


@pytest.fixture
async def web(
    real_assistant: Assistant, bot_sender: ZaloBotChannel, oa_sender: ZaloOAChannel, oa_api: FakeZaloOA
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client speaking to the webhook app (both Zalo routes) in-process."""
    channels = WebChannels(routes=[
        zalo_bot_route(ZaloBotAdapter(real_assistant, bot_sender).handle_delivery, BOT_SECRET, max_body=20_000),
        zalo_oa_route(ZaloOAAdapter(real_assistant, oa_sender, oa_api.app_id, oa_api.oa_secret)),
    ])  # fmt: skip
    transport = httpx.ASGITransport(app=create_web_app(channels))
    async with httpx.AsyncClient(transport=transport, base_url="http://webhook.test") as client:
        yield client
