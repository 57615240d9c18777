"""Recording acknowledged updates with group commit: one transaction for every update that arrives together.

A webhook awaits :meth:`Intake.record` before answering 200. The first update of a quiet moment waits
``linger`` (2 ms) for others; while a batch is being written, the next ones gather, so under load each
transaction carries many updates and costs one commit (one fsync on PostgreSQL) for all of them. The writes
run on one thread of their own with a statement built once: no per-request session set-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot import clock
from bot.inbox.models import InboxState, InboxUpdate
from bot.inbox.payload import Arrival, to_payload
from bot.storage.db import Database

log = logging.getLogger(__name__)

#: How long the first update of a quiet moment waits for others to share its transaction.
LINGER_SECONDS = 0.002
#: Most updates written in one transaction.
MAX_BATCH = 500


class Intake:
    """Writes arrivals to the inbox in batches; ``record`` answers whether the update was new."""

    def __init__(self, db: Database, *, linger: float = LINGER_SECONDS, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.linger = linger
        self.max_batch = max_batch
        #: Called (in the event loop) after every commit that recorded a new update: wakes the worker.
        self.on_commit: list[Callable[[], None]] = []
        self._waiting: list[tuple[Arrival, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-intake")
        self._postgres = db.engine.dialect.name == "postgresql"

    async def record(self, arrival: Arrival) -> bool:
        """Record ``arrival`` durably (committed when this returns); False when it was recorded before.
        Raises the database's error when it could not be written (the webhook then answers 503)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            if self.linger and len(self._waiting) < self.max_batch:
                await asyncio.sleep(self.linger)
            batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
            try:
                new = await loop.run_in_executor(self._writer, self.write, [a for a, _ in batch])
            except Exception as exc:
                log.error("inbox: %d update(s) not recorded: %s", len(batch), type(exc).__name__)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for arrival, future in batch:
                if not future.done():
                    future.set_result(_key(arrival) in new)
                    new.discard(_key(arrival))  # the same update twice in one batch: only the first is new
            if any(future.result() for _, future in batch if not future.cancelled()):
                for wake in self.on_commit:
                    wake()

    def write(self, arrivals: list[Arrival]) -> set[tuple[str, str]]:
        """Insert ``arrivals`` in one transaction (synchronous); the (channel, update id) keys that were new."""
        now = clock.now()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for arrival in arrivals:
            rows.setdefault(_key(arrival), {
                "channel": arrival.incoming.channel, "chat_id": arrival.incoming.chat_id,
                "update_id": arrival.update_id, "payload": to_payload(arrival), "received_at": now,
                "state": InboxState.PENDING.value, "attempts": 0, "claimed_by": "", "last_error": "",
            })  # fmt: skip
        insert = pg_insert if self._postgres else sqlite_insert
        stmt = (
            insert(InboxUpdate)
            .values(list(rows.values()))
            .on_conflict_do_nothing(index_elements=["channel", "update_id"])
            .returning(InboxUpdate.channel, InboxUpdate.update_id)
        )
        with self.db.engine.begin() as conn:
            return {(channel, update_id) for channel, update_id in conn.execute(stmt)}

    def close(self) -> None:
        """Stop the writer thread (after the batch it is writing)."""
        self._writer.shutdown(wait=True)


def _key(arrival: Arrival) -> tuple[str, str]:
    return arrival.incoming.channel, arrival.update_id
