"""Recording acknowledged updates with group commit: one transaction for every update that arrives together.

A webhook awaits :meth:`Intake.record` before answering 200. The first update of a quiet moment waits
``linger`` (2 ms) for others; while a batch is being written, the next ones gather, so under load each
transaction carries many updates and costs one commit (one fsync on PostgreSQL) for all of them. The writes
run on one thread of their own, through the driver with a statement built once per batch size: no
per-request session set-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from typing import Any

from bot import clock
from bot.inbox.models import InboxState, InboxUpdate
from bot.inbox.payload import Arrival, to_payload
from bot.storage.db import Database

log = logging.getLogger(__name__)

#: The columns written for each update.
_COLUMNS = ("channel", "chat_id", "update_id", "payload", "received_at", "state", "attempts", "claimed_by",
            "last_error")  # fmt: skip
#: How SQLAlchemy stores a ``DateTime`` in SQLite (UTC, without the offset), so the ORM reads it back alike.
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"

#: How long the first update of a quiet moment waits for others to share its transaction.
LINGER_SECONDS = 0.002
#: The intake counts as busy this long after an update arrived.
BUSY_SECONDS = 0.2
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
        self._statements: dict[int, str] = {}
        self._last = float("-inf")

    async def record(self, arrival: Arrival) -> bool:
        """Record ``arrival`` durably (committed when this returns); False when it was recorded before.
        Raises the database's error when it could not be written (the webhook then answers 503)."""
        self._last = time.monotonic()
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

    def busy(self, within: float = BUSY_SECONDS) -> bool:
        """Whether an update arrived in the last ``within`` seconds (thread-safe)."""
        return time.monotonic() - self._last < within

    def write(self, arrivals: list[Arrival]) -> set[tuple[str, str]]:
        """Insert ``arrivals`` in one transaction (synchronous); the (channel, update id) keys that were new.

        One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` through the driver itself: building the
        statement with the ORM costs about 150 µs of interpreter time per row, which the webhook's event
        loop would wait for; this costs a few."""
        now = clock.now()
        at: Any = now if self._postgres else now.astimezone(UTC).strftime(SQLITE_TIME)
        rows: dict[tuple[str, str], list[Any]] = {}
        for arrival in arrivals:
            if _key(arrival) not in rows:
                payload = json.dumps(to_payload(arrival))
                rows[_key(arrival)] = [arrival.incoming.channel, arrival.incoming.chat_id, arrival.update_id,
                                       payload, at,
                                       InboxState.PENDING.value, 0, "", ""]  # fmt: skip
        params = [value for row in rows.values() for value in row]
        raw = self.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(self._statement(len(rows)), params)
            new = {(str(channel), str(update_id)) for channel, update_id in cursor.fetchall()}
            cursor.close()
            raw.commit()
        except Exception:
            raw.rollback()
            raise
        finally:
            raw.close()  # back to the pool
        return new

    def _statement(self, count: int) -> str:
        """The INSERT of ``count`` rows in the driver's parameter style (built once per size)."""
        found = self._statements.get(count)
        if found is None:
            mark = "%s" if self._postgres else "?"
            values = "(" + ", ".join([mark] * len(_COLUMNS)) + ")"
            found = (f"INSERT INTO {InboxUpdate.__tablename__} ({', '.join(_COLUMNS)}) VALUES "
                     f"{', '.join([values] * count)} ON CONFLICT (channel, update_id) DO NOTHING "
                     "RETURNING channel, update_id")  # fmt: skip
            self._statements[count] = found
        return found

    def close(self) -> None:
        """Stop the writer thread (after the batch it is writing)."""
        self._writer.shutdown(wait=True)


def _key(arrival: Arrival) -> tuple[str, str]:
    return arrival.incoming.channel, arrival.update_id
