"""A separate process running the morning alert job and the outbox, for the multi-process tests.

``python -m tests.bot.late.worker DB_URL API_URL TOKEN GO_FILE MODE NOW`` waits for GO_FILE to exist (so two
workers start together), enqueues Monday's alerts and delivers the outbox through the real Telegram
sender. Its wall clock runs from NOW, the test's own "now" (ISO 8601), so leases mean the same in both
processes even when each process's clock was moved separately (libfaketime's start-at mode). MODE
``normal`` drains and exits; MODE ``hang`` sends one message, then claims the rest and hangs in the middle
of sending them (the test kills it there).
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from telegram import Bot

from bot.channels.telegram_sender import TelegramSender
from bot.clock import SystemClock, use_clock
from bot.config import Settings
from bot.contract.messages import Reply
from bot.late.job import enqueue_morning_alerts
from bot.outbox.dispatch import Dispatcher
from bot.storage.db import Database
from tests.bot.late.factory import MONDAY_0730


class ShiftedClock(SystemClock):
    """The machine's clocks, the wall clock moved by a fixed offset."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """The machine's time plus the offset."""
        return super().now() + self.offset


class HangAfterFirst:
    """Sends the first message, then blocks forever inside ``send`` after touching ``marker``."""

    channel = "telegram"

    def __init__(self, inner: TelegramSender, marker: Path) -> None:
        self.inner, self.marker, self.count = inner, marker, 0

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.count += 1
        if self.count == 1:
            await self.inner.send(chat_id, reply)
            return
        self.marker.touch()
        await asyncio.Event().wait()


async def main(db_url: str, api_url: str, token: str, go: Path, mode: str) -> None:
    while not go.exists():
        time.sleep(0.01)
    db = Database(db_url)
    enqueue_morning_alerts(db, Settings(), MONDAY_0730)
    telegram = TelegramSender(Bot(token, base_url=api_url))
    await telegram.start()
    sender = telegram if mode == "normal" else HangAfterFirst(telegram, go.with_suffix(".hung"))
    dispatcher = Dispatcher(db, {"telegram": sender}, global_rate=200, batch_size=5 if mode == "normal" else 100)
    while await dispatcher.run_once():
        pass
    await telegram.stop()
    db.dispose()


if __name__ == "__main__":
    url, api, tok, go_file, run_mode, started = sys.argv[1:7]
    with use_clock(ShiftedClock(datetime.fromisoformat(started) - SystemClock().now())):
        asyncio.run(main(url, api, tok, Path(go_file), run_mode))
