"""What a channel must provide so the outbox can deliver through it."""

from __future__ import annotations

from typing import Protocol

from bot.contract.messages import Reply


class RetryLater(Exception):
    """The platform asked us to slow down (HTTP 429) or failed transiently (5xx, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Delivery can never succeed (bot blocked, chat not found, bad request): record, don't retry."""


class Sender(Protocol):
    """Delivers one reply to one chat of one channel; raises RetryLater or PermanentFailure
    (``bot.channels.base.Channel`` is one)."""

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Send ``reply`` (text, choices, attachments) to ``chat_id``."""
        ...


class Undeliverable(PermanentFailure):
    """The platform does not allow this message to this chat now (Zalo OA after its 48-hour window with no
    template for the message's kind): recorded as ``undeliverable`` and shown to administrators."""


async def send_queued(sender: Sender, chat_id: str, reply: Reply, kind: str) -> None:
    """Send an outbox message: through the sender's ``send_queued(chat_id, reply, kind)`` when it has one
    (a channel whose rules depend on the kind of message), else its ``send``."""
    queued = getattr(sender, "send_queued", None)
    if queued is not None:
        await queued(chat_id, reply, kind)
    else:
        await sender.send(chat_id, reply)
