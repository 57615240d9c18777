"""The three platforms' webhooks on one real ASGI app (the real assistant, fake platform servers), driven
synchronously — for the bad-input tests and the fuzz benchmark. Also the generators of their bodies."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx

from bot import clock
from bot.app import Assistant
from bot.channels.telegram import SECRET_HEADER as TELEGRAM_HEADER
from bot.channels.telegram import build_application, telegram_route
from bot.channels.webhook import create_app
from bot.channels.zalo_bot import ZALO_BOT_SECRET_HEADER, ZaloBotAdapter, ZaloBotChannel, ZaloBotClient, zalo_bot_route
from bot.channels.zalo_oa import ZaloOAAdapter, ZaloOAChannel, ZaloOAClient, signature, zalo_oa_route
from bot.channels.zalo_tokens import OAuthClient, ZaloTokenStore
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.zalo_bot_api import FakeZaloBotAPI
from tests.fakes.zalo_oa_api import FakeZaloOA

TELEGRAM_SECRET = "telegram_webhook-secret-0123"
ZALO_BOT_SECRET = "zalo_bot_webhook-secret-0123"
PATHS = {"telegram": "/telegram/webhook", "zalo_bot": "/zalo/bot", "zalo_oa": "/zalo/oa"}


class Webhooks:
    """POST to any of the three webhook routes and get the status code (in a private event loop)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient, oa: FakeZaloOA) -> None:
        self.loop = loop
        self.client = client
        self.oa = oa

    def post(self, platform: str, body: bytes, *, authentic: bool = True) -> int:
        headers = {"Content-Type": "application/json"}
        if platform == "telegram":
            headers[TELEGRAM_HEADER] = TELEGRAM_SECRET if authentic else "wrong-secret-000000"
        elif platform == "zalo_bot":
            headers[ZALO_BOT_SECRET_HEADER] = ZALO_BOT_SECRET if authentic else "wrong-secret-000000"
        elif authentic:
            mac = signature(self.oa.app_id, body, _timestamp_in(body), self.oa.oa_secret)
            headers["X-ZEvent-Signature"] = "mac=" + mac
        answer = self.loop.run_until_complete(self.client.post(PATHS[platform], content=body, headers=headers))
        return answer.status_code


def _timestamp_in(body: bytes) -> str:
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    return str(event.get("timestamp") or "") if isinstance(event, dict) else ""


@contextmanager
def webhooks(assistant: Assistant) -> Iterator[Webhooks]:
    """The three routes on one app, each with its real adapter, replying through fake platform servers."""
    loop = asyncio.new_event_loop()
    with ExitStack() as stack:
        tg = stack.enter_context(FakeTelegramAPI())
        zb = stack.enter_context(FakeZaloBotAPI())
        oa = stack.enter_context(FakeZaloOA())
        application = build_application(assistant, tg.token, base_url=tg.base_url, timeout=5.0, polling=False)
        store = ZaloTokenStore(assistant.db, OAuthClient(oa.app_id, oa.app_secret, oa.url, timeout=5.0))
        store.seed("RT-0")
        bot_client = ZaloBotClient(zb.token, zb.base_url, timeout=5.0)
        oa_client = ZaloOAClient(store, oa.url, timeout=5.0)
        app = create_app([
            telegram_route(application, TELEGRAM_SECRET, PATHS["telegram"]),
            zalo_bot_route(ZaloBotAdapter(assistant, ZaloBotChannel(bot_client), typing_delay=60).handle_delivery,
                           ZALO_BOT_SECRET),
            zalo_oa_route(ZaloOAAdapter(assistant, ZaloOAChannel(oa_client), oa.app_id, oa.oa_secret)),
        ])  # fmt: skip
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://webhook.test")
        loop.run_until_complete(application.initialize())
        try:
            yield Webhooks(loop, client, oa)
        finally:
            loop.run_until_complete(application.shutdown())
            for closing in (client.aclose(), bot_client.aclose(), oa_client.aclose()):
                loop.run_until_complete(closing)
            loop.close()


# --------------------------------------------------------------------------- bodies


def templates(oa: FakeZaloOA) -> dict[str, list[dict[str, Any]]]:
    """Well-formed events of each platform, for mutation."""
    now_ms = int(clock.now().timestamp() * 1000)
    user = {"id": 77, "is_bot": False, "first_name": "A", "language_code": "vi"}
    message = {"message_id": 1, "date": now_ms // 1000, "chat": {"id": 77, "type": "private"}, "from": user,
               "text": "đăng ký kết hôn"}  # fmt: skip
    zalo_message = {"message_id": "m1", "from": {"id": "z1", "display_name": "Người dân", "is_bot": False},
                    "chat": {"id": "z1", "chat_type": "PRIVATE"}, "date": now_ms, "text": "khai sinh"}  # fmt: skip
    oa_text = oa.event("user_send_text", "o1", text="kết hôn", msg_id="x1", timestamp_ms=now_ms)
    return {
        "telegram": [
            {"update_id": 1, "message": message},
            {"update_id": 2, "callback_query": {"id": "q1", "from": user, "chat_instance": "c",
                                                "data": "p:1.000894", "message": message}},
            {"update_id": 3, "edited_message": message},
        ],
        "zalo_bot": [
            {"event_name": "message.text.received", "message": zalo_message},
            {"ok": True, "result": {"event_name": "message.text.received", "message": zalo_message}},
        ],
        "zalo_oa": [oa_text, oa.event("follow", "o2", timestamp_ms=now_ms)],
    }


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path (keys and indexes) inside a JSON value, the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the part at ``path`` replaced by ``new`` (the root when ``path`` is empty)."""
    if not path:
        return new
    out = copy.deepcopy(value)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out
