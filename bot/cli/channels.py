"""``python -m bot serve`` (every channel, the outbox and the scheduler in one process; ``web`` is its alias)
and ``python -m bot zalo …`` (polling alone, OA tokens)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from bot.config import ENV_ZALO_OA_REFRESH_TOKEN, ConfigError, Settings
from bot.schema import create_schema

COMMANDS = ("serve", "web", "zalo")

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Add ``web`` and ``zalo`` (with ``poll``, ``oa-status``, ``oa-seed``) to the CLI's subparsers."""
    for name, text in (("serve", "run the service: every enabled channel (webhooks on one port, polling), the outbox "
                                 "and the scheduler, until SIGTERM"),
                       ("web", "alias of serve")):  # fmt: skip
        serve = subparsers.add_parser(name, help=text)
        serve.add_argument("--host", default="0.0.0.0", help="address of the webhook server (default 0.0.0.0)")
        serve.add_argument("--port", type=int, default=8080, help="port of the webhook server (default 8080)")
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
        if args.command in ("serve", "web"):
            from bot.service import run_serve

            return run_serve(settings, args.host, args.port)
        command = getattr(args, "zalo_command", None) or "poll"
        if command == "oa-status":
            return _oa_status(settings)
        if command == "oa-seed":
            return _oa_seed(settings, args.from_env)
        return _poll(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _poll(settings: Settings) -> int:
    from bot.app import build_assistant
    from bot.service import run_zalo_polling

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
    oauth = OAuthClient(config.app_id, settings.zalo_app_secret, config.oauth_url)
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

    token = settings.zalo_oa_refresh_token if from_env else getpass.getpass(
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
