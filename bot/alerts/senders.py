"""Which senders deliver the outbox: the console (demo), Telegram with a token, Zalo Bot and Zalo OA when enabled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from rich.console import Console
from telegram import Bot

from bot.channels.console import render
from bot.channels.telegram_sender import TelegramSender
from bot.config import Settings
from bot.contract.messages import Reply
from bot.outbox.sender import Sender
from bot.storage.db import Database


class ConsoleSender:
    """Prints outbox messages to the terminal (the console demo has no one else to deliver to)."""

    channel = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Print ``reply`` as the console chat would show it, files by name and size."""
        self.console.print(f"[dim]── outbox → {chat_id}[/dim]")
        self.console.print(render(reply))
        for attachment in reply.attachments:
            self.console.print(f"[dim]📎 {attachment.filename} ({len(attachment.content)} bytes)[/dim]")


def telegram_bot(settings: Settings) -> Bot:
    """A ``telegram.Bot`` for the configured token and Bot API address."""
    base_url = settings.channels.telegram.base_url
    return Bot(settings.telegram_token, base_url=base_url) if base_url else Bot(settings.telegram_token)


def configured_senders(settings: Settings, db: Database | None = None) -> dict[str, Sender]:
    """Senders for the channels this office runs: the console always, Telegram with a token, the Zalo Bot
    and the Zalo OA when enabled in ``[channels]`` (the OA also needs the database for its tokens)."""
    senders: dict[str, Sender] = {ConsoleSender.channel: ConsoleSender()}
    if settings.telegram_token and settings.channels.telegram.enabled:
        senders[TelegramSender.channel] = TelegramSender(telegram_bot(settings))
    if settings.channels.zalo_bot.enabled:
        from bot.channels.webapp import zalo_bot_sender

        senders["zalo_bot"] = zalo_bot_sender(settings)
    if settings.channels.zalo_oa.enabled and db is not None:
        from bot.channels.webapp import zalo_oa_sender

        senders["zalo_oa"] = zalo_oa_sender(settings, db)
    return senders


@asynccontextmanager
async def started(senders: Mapping[str, Sender]) -> AsyncIterator[Mapping[str, Sender]]:
    """Open the senders that hold connections (``start``/``stop``) for the current event loop."""
    for sender in senders.values():
        start = getattr(sender, "start", None)
        if start is not None:
            await start()
    try:
        yield senders
    finally:
        for sender in senders.values():
            stop = getattr(sender, "stop", None)
            if stop is not None:
                await stop()
