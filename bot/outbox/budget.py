"""The send-rate budget shared by every process through the database (several ``serve`` replicas).

Each send reserves a slot with the generic cell-rate algorithm: a key's row holds the theoretical arrival
time (``tat``) of its next slot. Reserving is one atomic upsert per key, ``tat = max(tat, t) + interval``,
returning the slot's start. A send first takes its chat's slot (``chat:<channel>:<chat>``, 1 s apart), then
the platform's slot (``rate:<channel>``, 1/25 s apart) not before it, and moves the chat's next slot after
the platform slot it got; then it waits until its slot starts. On PostgreSQL the upsert locks the row until
the transaction commits, and every transaction takes the chat row before the platform row, so concurrent
replicas queue up without deadlocks; SQLite serialises writers anyway. Slot times are wall-clock seconds
(the injected clock), so replicas on several machines need synchronised clocks (NTP), as any PostgreSQL
deployment has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import clock as timebase
from bot.outbox.models import SendBudget
from bot.storage.db import Database

Sleep = Callable[[float], Awaitable[None]]
#: Reservations between two clean-ups of chat rows whose slots are long past.
PRUNE_EVERY = 500
#: Chat rows idle this long (seconds) are deleted by the clean-up.
PRUNE_AFTER = 3600.0


def wall_seconds() -> float:
    """The injected clock's time as seconds since the epoch."""
    return timebase.now().timestamp()


class SharedBudget:
    """A per-platform overall rate and a per-chat interval, kept in the ``send_budget`` table."""

    def __init__(
        self, db: Database, rate: float = 25.0, per_chat_interval: float = 1.0, *,
        wall: Callable[[], float] = wall_seconds,
    ) -> None:  # fmt: skip
        if rate <= 0 or per_chat_interval < 0:
            raise ValueError("rate must be positive and the per-chat interval not negative")
        self.db = db
        self.interval = 1.0 / rate
        self.per_chat = per_chat_interval
        self._wall = wall
        self._reservations = 0

    def reserve(self, chat: str) -> float:
        """Take the next slot for ``chat`` ("<channel>:<chat id>"); seconds to wait until it starts."""
        channel = chat.split(":", 1)[0]
        now = self._wall()
        with self.db.session() as session:
            chat_start = _bump(session, f"chat:{chat}", now, self.per_chat)
            start = _bump(session, f"rate:{channel}", chat_start, self.interval)
            if start > chat_start:  # the platform slot is later: the chat's next slot counts from it
                session.execute(update(SendBudget).where(SendBudget.key == f"chat:{chat}")
                                .values(tat=start + self.per_chat))  # fmt: skip
            self._reservations += 1
            if self._reservations % PRUNE_EVERY == 0:
                session.execute(delete(SendBudget).where(SendBudget.key.startswith("chat:"),
                                                         SendBudget.tat < now - PRUNE_AFTER))  # fmt: skip
            session.commit()
        return max(start - now, 0.0)

    async def acquire(self, chat: str, sleep: Sleep) -> None:
        """Reserve a slot for ``chat`` and wait (with ``sleep``) until it starts."""
        wait = await asyncio.to_thread(self.reserve, chat)
        if wait > 0:
            await sleep(wait)

    def hold(self, chat: str, seconds: float) -> None:
        """Keep ``chat`` quiet for ``seconds`` in every process (the platform said "retry after")."""
        with self.db.session() as session:
            _bump(session, f"chat:{chat}", self._wall() + seconds, 0.0)
            session.commit()


def _bump(session: Session, key: str, not_before: float, interval: float) -> float:
    """Reserve the slot of ``key`` starting at ``not_before`` or later; the slot's start."""
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    greatest = func.greatest if postgres else func.max
    stmt = (
        insert(SendBudget)
        .values(key=key, tat=not_before + interval)
        .on_conflict_do_update(index_elements=["key"], set_={"tat": greatest(SendBudget.tat, not_before) + interval})
        .returning(SendBudget.tat)
    )
    return float(session.execute(stmt).scalar_one()) - interval
