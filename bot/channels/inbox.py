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
from bot.inbox.worker import InboxWorker
from bot.storage.db import Database

log = logging.getLogger(__name__)


class Inbox:
    """The intake the webhook routes record into, and the ``worker`` answering what they recorded on a
    thread of this process — or, with ``worker=None``, another process answers (``bot.answering``, what
    ``serve`` runs: the search is CPU work that would hold this process's interpreter while requests wait)."""

    def __init__(self, db: Database, worker: InboxWorker | None) -> None:
        self.intake = Intake(db)
        self.worker = worker
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        if worker is not None:
            worker.busy = self.intake.busy
            self.intake.on_commit.append(self._wake.set)

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
        """Start the worker (if it runs here) in the running event loop."""
        if self.worker is not None:
            self._stop.clear()
            self._task = asyncio.create_task(self.worker.run_forever(self._stop, self._wake))

    async def stop(self) -> None:
        """Let the batch in progress finish (what is not answered stays in the inbox for the next start)."""
        self._stop.set()
        if self._task is not None:
            await self._task
        self.intake.close()
        if self.worker is not None:
            self.worker.close()

    def web(self) -> WebChannels:
        """The worker's start and stop as hooks of the web app."""
        return WebChannels(on_start=[self.start], on_stop=[self.stop])
