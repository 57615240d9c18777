"""Every channel by name: the service, the outbox, the morning alert and the weekly report find them here.

Adding a channel (a web chat, Facebook Messenger) means one module with a ``Channel`` subclass and a
``REGISTRATION``, its tests, and its line in ``_REGISTRATIONS`` below; nothing else changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from bot.channels import console, telegram_sender, zalo_bot, zalo_oa
from bot.channels.base import Channel, Registration, Responder
from bot.channels.webhook import WebChannels, combine
from bot.config import Settings
from bot.contract.capabilities import DEFAULT, Capabilities
from bot.storage.db import Database

_REGISTRATIONS: tuple[Registration, ...] = (
    console.REGISTRATION,
    telegram_sender.REGISTRATION,
    zalo_bot.REGISTRATION,
    zalo_oa.REGISTRATION,
)
CHANNELS: dict[str, Registration] = {r.name: r for r in _REGISTRATIONS}


def capabilities(name: str) -> Capabilities:
    """What the channel ``name`` can show (Telegram's limits for a name no longer registered)."""
    found = CHANNELS.get(name)
    return found.capabilities if found is not None else DEFAULT


def enabled(settings: Settings) -> list[Registration]:
    """The channels this office runs, in registry order."""
    return [r for r in _REGISTRATIONS if r.enabled(settings)]


def outbox_channels(settings: Settings, db: Database) -> dict[str, Channel]:
    """The channels the outbox delivers through, by name (the console always: it prints)."""
    return {r.name: r.outbox(settings, db) for r in enabled(settings)}


def web_channels(assistant: Responder, db: Database) -> WebChannels:
    """Routes and start/stop hooks of every enabled channel that receives by webhook."""
    settings = assistant.settings
    return combine(r.web(assistant, db) for r in enabled(settings) if r.web is not None and r.web_enabled(settings))


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
