"""The running assistant: channels from the registry, the scheduler, and one ASGI app for every webhook.

``run`` is ``python -m bot run|chat|telegram``: the outbox and the scheduled jobs in the background, the
Zalo Bot by long polling when it has no webhook, then Telegram (polling or webhook) or the console in the
foreground. ``build_web_app`` is ``python -m bot web``: ``/healthz`` plus the webhook routes of every enabled
channel (``uvicorn --factory bot.service:app_from_env`` for several replicas).

Each webhook answers 200 only after the message was handled and its replies sent (or, when the platform
defers them with 429/5xx, stored in the outbox): an acknowledged event is never lost.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from starlette.applications import Starlette

from bot.app import Assistant, build_assistant
from bot.channels import registry
from bot.channels.console import run_console
from bot.channels.telegram import run_telegram
from bot.channels.webhook import create_web_app
from bot.channels.zalo_bot import poll_zalo_bot
from bot.config import ConfigError, Settings, load_settings
from bot.scheduler import start_scheduler

log = logging.getLogger(__name__)


def build_web_app(assistant: Assistant) -> Starlette:
    """The app serving every enabled webhook channel; ``ConfigError`` when there is none."""
    web = registry.web_channels(assistant, assistant.db)
    if not web.routes:
        raise ConfigError("no webhook channel is enabled: set [channels.zalo_bot]/[channels.zalo_oa].enabled "
                          "or Telegram's webhook_url")  # fmt: skip
    return create_web_app(web)


def app_from_env() -> Starlette:
    """uvicorn factory (``uvicorn --factory bot.service:app_from_env``): settings from ASSISTANT_CONFIG /
    config.toml, the assistant closed on shutdown."""
    settings = load_settings()
    registry.check_webhook_secrets(settings)
    assistant = build_assistant(settings)
    web = registry.web_channels(assistant, assistant.db)

    async def close() -> None:
        assistant.close()

    web.on_stop.insert(0, close)
    return create_web_app(web)


def serve_web(settings: Settings, host: str, port: int) -> None:
    """``python -m bot web``: every webhook on ``host:port`` until interrupted."""
    import uvicorn

    registry.check_webhook_secrets(settings)
    assistant = build_assistant(settings)
    assistant.watch_catalog()
    try:
        app = build_web_app(assistant)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True)
    finally:
        assistant.close()


def run_zalo_polling(assistant: Assistant, stop: asyncio.Event | None = None) -> None:
    """Answer the Zalo Bot by long polling until interrupted (or ``stop`` is set)."""
    asyncio.run(poll_zalo_bot(assistant, stop or asyncio.Event()))


def start_zalo_polling_thread(assistant: Assistant) -> tuple[threading.Thread, Callable[[], None]]:
    """Zalo Bot long polling in a daemon thread (next to Telegram's polling); returns (thread, stop())."""
    loop_ready = threading.Event()
    holder: dict[str, asyncio.AbstractEventLoop | asyncio.Event] = {}

    def target() -> None:
        async def main() -> None:
            stop = asyncio.Event()
            holder["loop"], holder["stop"] = asyncio.get_running_loop(), stop
            loop_ready.set()
            await poll_zalo_bot(assistant, stop)

        asyncio.run(main())

    thread = threading.Thread(target=target, name="zalo-bot-polling", daemon=True)
    thread.start()
    loop_ready.wait()

    def stop() -> None:
        loop, event = holder["loop"], holder["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(event, asyncio.Event)
        loop.call_soon_threadsafe(event.set)

    return thread, stop


def run(command: str, settings: Settings) -> int:
    """``run`` (Telegram when TELEGRAM_BOT_TOKEN is set, else the console), ``chat`` or ``telegram``."""
    if command == "telegram" and not settings.telegram_token:
        raise ConfigError("set TELEGRAM_BOT_TOKEN to start the Telegram bot")
    if command in ("run", "telegram"):
        registry.check_webhook_secrets(settings, names=("telegram",))
    assistant = build_assistant(settings)
    assistant.watch_catalog()
    scheduler = start_scheduler(assistant, registry.outbox_channels(settings, assistant.db), registry.capabilities)
    stop_zalo = None
    zalo = settings.channels.zalo_bot
    if zalo.enabled and not zalo.webhook_url:  # webhook mode is served by `python -m bot web`
        _thread, stop_zalo = start_zalo_polling_thread(assistant)
    try:
        if command == "telegram" or (command == "run" and settings.telegram_token):
            run_telegram(assistant)
        else:
            run_console(assistant)
    finally:
        if stop_zalo is not None:
            stop_zalo()
        scheduler.shutdown()
        assistant.close()
    return 0
