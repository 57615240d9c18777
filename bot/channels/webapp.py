"""One ASGI app for every webhook: ``/healthz``, Telegram, ``/zalo/bot`` and ``/zalo/oa``.

Built on ``bot.channels.webhook`` (health endpoint, constant-time secret check, body limits). The app is
stateless between requests — conversation state, processed-update log, tokens and outbox live in the
database — so several replicas can run behind a reverse proxy sharing PostgreSQL.

Each webhook answers 200 only after the message was handled and its replies sent (or, when Zalo defers
them with 429/5xx, stored in the outbox): an acknowledged event is never lost. The handler runs in a worker
thread, so the event loop keeps accepting requests meanwhile.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.webhook import MAX_BODY_BYTES, BodyTooLarge, create_app, read_body, secret_json
from bot.channels.zalo_bot import MediaPublisher, ZaloBotAdapter, ZaloBotClient, ZaloBotSender
from bot.channels.zalo_oa import SIGNATURE_HEADER, Rejected, ZaloOAAdapter, ZaloOAClient, ZaloOASender
from bot.channels.zalo_tokens import OAuthClient, ZaloTokenStore
from bot.config import (
    ENV_ZALO_APP_SECRET,
    ENV_ZALO_BOT_SECRET,
    ENV_ZALO_BOT_TOKEN,
    ENV_ZALO_OA_REFRESH_TOKEN,
    ENV_ZALO_OA_SECRET,
    ConfigError,
    Settings,
)

ZALO_BOT_SECRET_HEADER = "X-Bot-Api-Secret-Token"
ZALO_BOT_PATH = "/zalo/bot"
ZALO_OA_PATH = "/zalo/oa"

log = logging.getLogger(__name__)


def zalo_bot_route(
    adapter: ZaloBotAdapter, secret: str, path: str = ZALO_BOT_PATH, max_body: int = MAX_BODY_BYTES
) -> Route:
    """``POST path``: Zalo Bot events; 403 without the right ``X-Bot-Api-Secret-Token``, 413/400 for
    oversized or malformed bodies, 200 once handled."""
    if not secret:
        raise ValueError("a webhook secret is required")

    async def receive(request: Request) -> Response:
        data = await secret_json(request, ZALO_BOT_SECRET_HEADER, secret, max_body)
        if isinstance(data, Response):
            return data
        await adapter.handle_delivery(data)
        return JSONResponse({"ok": True})

    return Route(path, receive, methods=["POST"])


def zalo_oa_route(adapter: ZaloOAAdapter, path: str = ZALO_OA_PATH, max_body: int = MAX_BODY_BYTES) -> Route:
    """``POST path``: OA events; 401/403 for a bad signature, foreign app id or stale timestamp."""

    async def receive(request: Request) -> Response:
        try:
            body = await read_body(request, max_body)
        except BodyTooLarge:
            return PlainTextResponse("payload too large", status_code=413)
        try:
            event = adapter.verify(body, request.headers.get(SIGNATURE_HEADER))
        except Rejected as exc:
            if exc.status != 400:
                log.warning("zalo_oa webhook: request refused (%s)", exc)
            return PlainTextResponse(str(exc), status_code=exc.status)
        await adapter.handle_event(event)
        return JSONResponse({"error": 0})

    return Route(path, receive, methods=["POST"])


@dataclass
class WebChannels:
    """The routes of the enabled channels and what to do when the server starts and stops."""

    routes: list[BaseRoute] = field(default_factory=list)
    on_start: list[Callable[[], Any]] = field(default_factory=list)
    on_stop: list[Callable[[], Any]] = field(default_factory=list)


def create_web_app(channels: WebChannels) -> Starlette:
    """The ASGI app: ``/healthz`` plus the channels' routes; their start/stop hooks run in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for start in channels.on_start:
            await start()
        try:
            yield
        finally:
            for stop in reversed(channels.on_stop):
                try:
                    await stop()
                except Exception:
                    log.exception("web app: shutdown step failed")

    return Starlette(routes=list(create_app(channels.routes).routes), lifespan=lifespan)


# --------------------------------------------------------------------------- from the settings


def zalo_bot_sender(settings: Settings) -> ZaloBotSender:
    """The Zalo Bot sender (also for the outbox dispatcher); needs ZALO_BOT_TOKEN."""
    config = settings.channels.zalo_bot
    token = os.environ.get(ENV_ZALO_BOT_TOKEN, "").strip()
    if not token:
        raise ConfigError("ZALO_BOT_TOKEN is not set: create a bot on the Zalo Bot Platform and export its token")
    media = MediaPublisher(settings.resolve(config.media_dir), config.media_url) if (
        config.media_dir and config.media_url) else None  # fmt: skip
    return ZaloBotSender(ZaloBotClient(token, config.base_url), media)


def zalo_oa_sender(settings: Settings, db: Any) -> ZaloOASender:
    """The OA sender (also for the outbox dispatcher); seeds the token row from ZALO_OA_REFRESH_TOKEN once."""
    config = settings.channels.zalo_oa
    app_secret = os.environ.get(ENV_ZALO_APP_SECRET, "").strip()
    if not config.app_id or not app_secret:
        raise ConfigError("Zalo OA needs [channels.zalo_oa].app_id and ZALO_APP_SECRET")
    tokens = ZaloTokenStore(db, OAuthClient(config.app_id, app_secret, config.oauth_url),
                            margin=timedelta(seconds=config.refresh_margin_seconds))  # fmt: skip
    tokens.seed(os.environ.get(ENV_ZALO_OA_REFRESH_TOKEN, "").strip())
    return ZaloOASender(ZaloOAClient(tokens, config.base_url))


def zalo_channels(assistant: Any, settings: Settings | None = None) -> WebChannels:
    """Routes and hooks of the enabled Zalo channels (``[channels.zalo_bot]``, ``[channels.zalo_oa]``)."""
    settings = settings or assistant.settings
    web = WebChannels()
    bot_config, oa_config = settings.channels.zalo_bot, settings.channels.zalo_oa
    if bot_config.enabled:
        secret = os.environ.get(ENV_ZALO_BOT_SECRET, "").strip()
        if not 8 <= len(secret) <= 256:
            raise ConfigError("ZALO_BOT_WEBHOOK_SECRET must be set for the Zalo Bot webhook (8-256 characters)")
        sender = zalo_bot_sender(settings)
        web.routes.append(zalo_bot_route(ZaloBotAdapter(assistant, sender), secret))
        if bot_config.webhook_url:
            web.on_start.append(lambda: sender.client.set_webhook(bot_config.webhook_url, secret))
        web.on_stop.append(sender.client.aclose)
    if oa_config.enabled:
        oa_secret = os.environ.get(ENV_ZALO_OA_SECRET, "").strip()
        if not oa_secret:
            raise ConfigError("ZALO_OA_SECRET_KEY must be set for the Zalo OA webhook")
        oa_sender = zalo_oa_sender(settings, assistant.db)
        adapter = ZaloOAAdapter(assistant, oa_sender, oa_config.app_id, oa_secret,
                                window=oa_config.signature_window_seconds)  # fmt: skip
        web.routes.append(zalo_oa_route(adapter))
        web.on_stop.append(oa_sender.client.aclose)
    return web


def telegram_channel(assistant: Any) -> WebChannels:
    """The Telegram webhook route (when TELEGRAM_BOT_TOKEN, its secret and ``webhook_url`` are set)."""
    from urllib.parse import urlparse

    from bot.channels.telegram import ALLOWED_UPDATES, build_application
    from bot.channels.webhook import telegram_route

    settings, web = assistant.settings, WebChannels()
    config = settings.channels.telegram
    token, secret = settings.telegram_token, settings.telegram_webhook_secret
    if not (config.enabled and token and secret and config.webhook_url):
        return web
    application = build_application(assistant, token, base_url=config.base_url, polling=False)
    web.routes.append(telegram_route(application, secret, urlparse(config.webhook_url).path or "/telegram/webhook"))

    async def start() -> None:
        await application.initialize()
        await application.start()
        await application.bot.set_webhook(config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def stop() -> None:
        await application.stop()
        await application.shutdown()

    web.on_start.append(start)
    web.on_stop.append(stop)
    return web


def combine(parts: Sequence[WebChannels]) -> WebChannels:
    """All channels' routes and hooks together."""
    web = WebChannels()
    for part in parts:
        web.routes += part.routes
        web.on_start += part.on_start
        web.on_stop += part.on_stop
    return web


def build_web_app(assistant: Any) -> Starlette:
    """The app serving every channel enabled in the assistant's settings."""
    return create_web_app(combine([telegram_channel(assistant), zalo_channels(assistant)]))


def app_from_env() -> Starlette:
    """uvicorn factory (``uvicorn --factory bot.channels.webapp:app_from_env``): settings from
    ASSISTANT_CONFIG / config.toml, the assistant closed on shutdown."""
    from bot.app import build_assistant
    from bot.config import load_settings

    assistant = build_assistant(load_settings())
    web = combine([telegram_channel(assistant), zalo_channels(assistant)])

    async def close() -> None:
        assistant.close()

    web.on_stop.insert(0, close)
    return create_web_app(web)
