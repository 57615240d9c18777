"""Waiting for the inbox worker and running one dispatcher pass, for tests of webhooks served through the inbox."""

from __future__ import annotations

import asyncio

from bot.app import Assistant
from bot.channels import registry
from bot.inbox.worker import backlog
from bot.outbox.dispatch import Dispatcher
from bot.storage.db import Database


async def answered(db: Database, timeout: float = 30.0) -> None:
    """Wait until the inbox worker has answered every recorded update."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (await asyncio.to_thread(backlog, db)).waiting:
        assert asyncio.get_running_loop().time() < deadline, "the inbox worker did not answer in time"
        await asyncio.sleep(0.02)


async def deliver(assistant: Assistant) -> int:
    """One dispatcher pass over the outbox (no rate limit): how many messages were sent."""
    channels = registry.outbox_channels(assistant.settings, assistant.db)
    async with registry.started(channels) as senders:
        return await Dispatcher(assistant.db, senders, per_chat_interval=0, global_rate=1000, burst=100).run_once()
