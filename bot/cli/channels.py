"""``python -m bot web`` (every webhook in one ASGI app) and ``python -m bot zalo …`` (polling, OA tokens)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
from typing import Any

from bot.config import ENV_ZALO_APP_SECRET, ENV_ZALO_OA_REFRESH_TOKEN, ConfigError, Settings
from bot.schema import create_schema

COMMANDS = ("web", "zalo")

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Add ``web`` and ``zalo`` (with ``poll``, ``oa-status``, ``oa-seed``) to the CLI's subparsers."""
    web = subparsers.add_parser("web", help="serve every enabled webhook (Telegram, Zalo Bot, Zalo OA) + /healthz")
    web.add_argument("--host", default="0.0.0.0")
    web.add_argument("--port", type=int, default=8080)
    zalo = subparsers.add_parser("zalo", help="Zalo: long polling for the Zalo Bot (default), OA token admin")
    zalo_sub = zalo.add_subparsers(dest="zalo_command")
    zalo_sub.add_parser("poll", help="answer the Zalo Bot by long polling (needs ZALO_BOT_TOKEN)")
    zalo_sub.add_parser("oa-status", help="show the Zalo OA token state and the last refresh failure")
    seed = zalo_sub.add_parser("oa-seed", help="replace the stored OA refresh token (after it was lost)")
    seed.add_argument("--from-env", action="store_true",
                      help=f"read the token from {ENV_ZALO_OA_REFRESH_TOKEN} instead of a prompt")  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``web`` or ``zalo …``; the process exit code."""
    try:
        if args.command == "web":
            return _web(settings, args.host, args.port)
        command = getattr(args, "zalo_command", None) or "poll"
        if command == "oa-status":
            return _oa_status(settings)
        if command == "oa-seed":
            return _oa_seed(settings, args.from_env)
        return _poll(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _web(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from bot.app import build_assistant
    from bot.channels.webapp import build_web_app

    assistant = build_assistant(settings)
    assistant.watch_catalog()
    try:
        app = build_web_app(assistant)
        if len(app.routes) == 1:
            raise ConfigError("no webhook channel is enabled: set [channels.zalo_bot]/[channels.zalo_oa].enabled "
                              "or Telegram's webhook_url")  # fmt: skip
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True)
    finally:
        assistant.close()
    return 0


def run_zalo_polling(assistant: Any, stop: asyncio.Event | None = None) -> None:
    """Answer the Zalo Bot by long polling until interrupted (or ``stop`` is set); deletes any webhook."""
    from bot.channels.webapp import zalo_bot_sender
    from bot.channels.zalo_bot import ZaloBotAdapter

    async def main() -> None:
        sender = zalo_bot_sender(assistant.settings)
        try:
            await sender.client.delete_webhook()  # polling and webhook are mutually exclusive
            log.info("Zalo Bot: long polling")
            await ZaloBotAdapter(assistant, sender).poll(stop or asyncio.Event())
        finally:
            await sender.client.aclose()

    asyncio.run(main())


def start_zalo_polling_thread(assistant: Any) -> tuple[threading.Thread, Any]:
    """Zalo Bot long polling in a daemon thread (next to Telegram's polling); returns (thread, stop())."""
    loop_ready = threading.Event()
    holder: dict[str, Any] = {}

    def target() -> None:
        async def main() -> None:
            holder["loop"], holder["stop"] = asyncio.get_running_loop(), asyncio.Event()
            loop_ready.set()
            from bot.channels.webapp import zalo_bot_sender
            from bot.channels.zalo_bot import ZaloBotAdapter

            sender = zalo_bot_sender(assistant.settings)
            try:
                await sender.client.delete_webhook()
                await ZaloBotAdapter(assistant, sender).poll(holder["stop"])
            finally:
                await sender.client.aclose()

        asyncio.run(main())

    thread = threading.Thread(target=target, name="zalo-bot-polling", daemon=True)
    thread.start()
    loop_ready.wait()

    def stop() -> None:
        holder["loop"].call_soon_threadsafe(holder["stop"].set)

    return thread, stop


def _poll(settings: Settings) -> int:
    from bot.app import build_assistant

    assistant = build_assistant(settings)
    assistant.watch_catalog()
    try:
        run_zalo_polling(assistant)
    except KeyboardInterrupt:
        pass
    finally:
        assistant.close()
    return 0


def _store(settings: Settings) -> Any:
    from bot.channels.zalo_tokens import OAuthClient, ZaloTokenStore
    from bot.storage.db import Database

    config = settings.channels.zalo_oa
    if not config.app_id:
        raise ConfigError("[channels.zalo_oa].app_id is not set")
    db = Database(settings.database_url)
    create_schema(db)
    oauth = OAuthClient(config.app_id, os.environ.get(ENV_ZALO_APP_SECRET, "").strip(), config.oauth_url)
    return ZaloTokenStore(db, oauth)


def _oa_status(settings: Settings) -> int:
    store = _store(settings)
    try:
        status = store.status()
        print(status.describe() if status else f"Zalo OA {store.app_id}: no token stored yet "
              f"(set {ENV_ZALO_OA_REFRESH_TOKEN} and start the server, or run `zalo oa-seed`)")  # fmt: skip
        return 1 if status is None or status.failures else 0
    finally:
        store.db.dispose()


def _oa_seed(settings: Settings, from_env: bool) -> int:
    import getpass

    token = os.environ.get(ENV_ZALO_OA_REFRESH_TOKEN, "").strip() if from_env else getpass.getpass(
        "New Zalo OA refresh token (not echoed): ").strip()  # fmt: skip
    if not token:
        print("error: no refresh token given", file=sys.stderr)
        return 2
    store = _store(settings)
    try:
        store.seed(token, replace=True)
        print(f"Zalo OA {store.app_id}: refresh token replaced; the next send fetches a new access token")
        return 0
    finally:
        store.db.dispose()
