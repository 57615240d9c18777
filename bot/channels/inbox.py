"""The webhooks' inbox in a running server: acknowledge an update once it is recorded, answer it later.

A webhook route verifies the request, turns the body into an :class:`Arrival` and awaits
:meth:`Inbox.accept`: the update is committed to the inbox (group commit with the others arriving at the
same moment) and the route answers 200 — without waiting for the search or the platform. The inbox worker
(started with the web app, on a thread of its own) answers the update and writes the replies to the outbox
in the same transaction; the outbox dispatcher sends them. A redelivered update is acknowledged again and
never answered twice (``(channel, update id)`` is unique in the inbox).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import PlainTextResponse, Response

from bot.channels.webhook import WebChannels
from bot.inbox.intake import Intake
from bot.inbox.payload import Arrival
from bot.inbox.worker import Answerer, Extra, InboxWorker
from bot.storage.db import Database

log = logging.getLogger(__name__)


class Inbox:
    """The intake the webhook routes record into and the worker that answers what they recorded."""

    def __init__(self, db: Database, assistant: Answerer) -> None:
        self.intake = Intake(db)
        self.worker = InboxWorker(db, assistant)
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add_extra(self, channel: str, extra: Extra) -> None:
        """Replies ``channel`` adds to the assistant's (the Zalo OA's window note after a follow)."""
        self.worker.extras[channel] = extra

    async def accept(self, arrival: Arrival) -> Response | None:
        """Record ``arrival``; None when it is recorded (new or a redelivery), else the 503 to answer so the
        platform delivers it again later."""
        try:
            new = await self.intake.record(arrival)
        except Exception:
            return PlainTextResponse("temporarily unavailable", status_code=503, headers={"Retry-After": "1"})
        if not new:
            log.info("%s: ignored redelivered update", arrival.incoming.channel)
        return None

    async def start(self) -> None:
        """Start the worker in the running event loop."""
        self._stop.clear()
        self.intake.on_commit.append(self._wake.set)
        self._task = asyncio.create_task(self.worker.run_forever(self._stop, self._wake))

    async def stop(self) -> None:
        """Let the batch in progress finish (what is not answered stays in the inbox for the next start)."""
        self._stop.set()
        if self._task is not None:
            await self._task
        self.intake.close()
        self.worker.close()

    def web(self) -> WebChannels:
        """The worker's start and stop as hooks of the web app."""
        return WebChannels(on_start=[self.start], on_stop=[self.stop])
