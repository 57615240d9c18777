"""Every channel by name: the service, the outbox, the morning alert and the weekly report find them here.

Adding a channel (a web chat, Facebook Messenger) means one module with a ``Channel`` subclass and a
``REGISTRATION``, its tests, and its line in ``_REGISTRATIONS`` below; nothing else changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager

from bot.channels import console, telegram_config, zalo_bot, zalo_oa
from bot.channels.base import Channel, Registration, Responder
from bot.channels.inbox import Inbox
from bot.channels.webchat import channel as webchat
from bot.channels.webhook import WebChannels, combine, secret_problem
from bot.config import ConfigError, Settings
from bot.contract.capabilities import DEFAULT, Capabilities
from bot.inbox.worker import Extra, InboxWorker
from bot.storage.db import Database

_REGISTRATIONS: tuple[Registration, ...] = (
    console.REGISTRATION,
    telegram_config.REGISTRATION,  # python-telegram-bot imported only when Telegram is built
    zalo_bot.REGISTRATION,
    zalo_oa.REGISTRATION,
    webchat.REGISTRATION,
)
CHANNELS: dict[str, Registration] = {r.name: r for r in _REGISTRATIONS}


def capabilities(name: str) -> Capabilities:
    """What the channel ``name`` can show (Telegram's limits for a name no longer registered)."""
    found = CHANNELS.get(name)
    return found.capabilities if found is not None else DEFAULT


def check(settings: Settings) -> None:
    """``ConfigError`` for a ``[channels.<name>]`` table that names no registered channel (a typo)."""
    unknown = [name for name in settings.channels.extra_sections() if name not in CHANNELS]
    if unknown:
        raise ConfigError(f"[channels.{unknown[0]}]: no such channel (channels: {', '.join(CHANNELS)})")


def enabled(settings: Settings) -> list[Registration]:
    """The channels this office runs, in registry order (``ConfigError`` for an invalid channel table)."""
    check(settings)
    return [r for r in _REGISTRATIONS if r.enabled(settings)]


def check_webhook_secrets(settings: Settings, names: Collection[str] | None = None) -> None:
    """``ConfigError`` naming every unusable secret of the webhooks a server would serve (all enabled ones,
    or only those in ``names``): run before anything starts, so a weak secret never goes live."""
    problems = [
        secret_problem(*r.webhook_secret(settings))
        for r in enabled(settings)
        if r.webhook_secret is not None and r.web_enabled(settings) and (names is None or r.name in names)
    ]
    if any(problems):
        raise ConfigError("; ".join(p for p in problems if p))


def outbox_channels(settings: Settings, db: Database) -> dict[str, Channel]:
    """The channels the outbox delivers through, by name (the console always: it prints)."""
    return {r.name: r.outbox(settings, db) for r in enabled(settings)}


def web_channels(assistant: Responder, db: Database, inbox: Inbox | None = None) -> WebChannels:
    """Routes and start/stop hooks of every enabled channel that receives by webhook, and of the ``inbox``
    their updates are recorded in (one is made for ``db`` when not given)."""
    settings = assistant.settings
    if inbox is None:
        inbox = Inbox(db, InboxWorker(db, assistant))
    if inbox.worker is not None:
        inbox.worker.extras.update(inbox_extras(settings, db))
    parts = [r.web(assistant, db, inbox) for r in enabled(settings) if r.web is not None and r.web_enabled(settings)]
    return combine([inbox.web(), *parts])


def inbox_extras(settings: Settings, db: Database) -> dict[str, Extra]:
    """What the inbox worker does beside answering, for each enabled channel that asks for something."""
    return {r.name: r.inbox_extra(settings, db) for r in enabled(settings) if r.inbox_extra is not None}


@asynccontextmanager
async def started(channels: Mapping[str, Channel]) -> AsyncIterator[Mapping[str, Channel]]:
    """Open the channels' connections (``start``/``stop``) in the current event loop."""
    for channel in channels.values():
        await channel.start()
    try:
        yield channels
    finally:
        for channel in channels.values():
            await channel.stop()
