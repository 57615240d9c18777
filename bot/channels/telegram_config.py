"""Telegram as the registry and the service see it, without importing python-telegram-bot: the channel's
name, what it can show, whether it is answered by long polling or by webhook, and its registration. The
channel itself (``bot.channels.telegram``, ``bot.channels.telegram_sender``) is imported when first built, so
a start without Telegram (the console chat, a Zalo-only office) does not pay for the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.base import Channel, Registration, Responder
from bot.config import ENV_TELEGRAM_SECRET, Settings
from bot.contract.capabilities import Capabilities

if TYPE_CHECKING:
    from bot.channels.inbox import Inbox
    from bot.channels.webhook import WebChannels
    from bot.storage.db import Database

CHANNEL = "telegram"
MAX_TEXT = 4096
#: Inline keyboards, HTML, 4,096 characters, photos and files.
CAPABILITIES = Capabilities(buttons=True, max_text=MAX_TEXT, html=True, photos=True, files=True, proactive=True)


def polling_enabled(settings: Settings) -> bool:
    """Telegram is enabled with a token and no webhook URL: it is answered by long polling."""
    config = settings.channels.telegram
    return config.enabled and bool(settings.telegram_token) and not config.webhook_url


def webhook_enabled(settings: Settings) -> bool:
    """Telegram is enabled, has a token and is configured for a webhook."""
    config = settings.channels.telegram
    return config.enabled and bool(settings.telegram_token) and bool(config.webhook_url)


def _outbox(settings: Settings, db: Database) -> Channel:
    from bot.channels.telegram_sender import telegram_sender

    return telegram_sender(settings)


def _web(assistant: Responder, db: Database, inbox: Inbox | None) -> WebChannels:
    from bot.channels.telegram import telegram_web

    return telegram_web(assistant, inbox)


REGISTRATION = Registration(
    name=CHANNEL,
    capabilities=CAPABILITIES,
    enabled=lambda settings: settings.channels.telegram.enabled and bool(settings.telegram_token),
    outbox=_outbox,
    web=_web,
    web_enabled=webhook_enabled,
    webhook_secret=lambda settings: (ENV_TELEGRAM_SECRET, settings.telegram_webhook_secret),
)
