"""The outbox's Telegram channel: the same rendering as the answers, with Telegram errors mapped for retries.

Rendering (HTML, pieces under 4096 characters, inline keyboard, CSV as a document, PNG as a photo) is
``bot.channels.telegram.TelegramChannel``'s. It sits out short flood-control pauses itself, which suits
answering a user but not the outbox, whose dispatcher schedules retries from the database. So the bot is
wrapped: a ``RetryAfter`` becomes ``RetryLater`` at once and the dispatcher decides when to try again.

A reply is a unit: if its second API call fails (the CSV after the text), the retry sends the whole reply
again. Outbox messages are built to fit one text message, so in practice this does not happen.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from telegram import Bot
from telegram.error import RetryAfter

# _retry_seconds: the adapter's reading of PTB's int-or-timedelta retry_after, shared rather than repeated
from bot.channels.telegram import TelegramChannel, _retry_seconds
from bot.config import Settings
from bot.outbox.sender import RetryLater

log = logging.getLogger(__name__)

_SENDING_METHODS = frozenset({"send_message", "send_document", "send_photo"})


class _NoWaitBot:
    """Delegates to a ``Bot``; its sending methods raise ``RetryLater`` instead of ``RetryAfter``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._bot, name)
        if name not in _SENDING_METHODS:
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return await attr(*args, **kwargs)
            except RetryAfter as exc:
                raise RetryLater("Telegram flood control (429)", retry_after=_retry_seconds(exc)) from exc

        return call


class TelegramSender(TelegramChannel):
    """The ``TelegramChannel`` the outbox delivers through: no flood-control pause is sat out."""

    def __init__(self, bot: Bot) -> None:
        super().__init__(cast(Bot, _NoWaitBot(bot)))
        self.client = bot

    async def start(self) -> None:
        """Open the bot's HTTP connections (in the event loop that will send)."""
        await self.client.initialize()

    async def stop(self) -> None:
        """Close the bot's HTTP connections."""
        await self.client.shutdown()


def telegram_sender(settings: Settings) -> TelegramSender:
    """The outbox's Telegram channel for the configured token and Bot API address."""
    base_url = settings.channels.telegram.base_url
    bot = Bot(settings.telegram_token, base_url=base_url) if base_url else Bot(settings.telegram_token)
    return TelegramSender(bot)
