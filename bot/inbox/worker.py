"""The inbox worker: takes acknowledged updates in per-chat order, answers them, and records the replies in
the outbox in the same transaction that marks the updates done.

- **Claiming.** A due row (``pending``, or ``processing`` whose lease ran out: a dead worker's) is leased
  to this worker (``claimed_by``/``claimed_until``, ``attempts`` + 1). A row is taken only when no earlier
  row of its chat is still open, so one chat's updates are answered in the order they arrived, also by
  several replicas: PostgreSQL locks the candidates with ``SELECT … FOR UPDATE SKIP LOCKED``; SQLite (one
  process) compare-and-sets them in the ``UPDATE``.
- **Exactly once.** The conversation state, the replies (outbox rows keyed by the update) and ``done`` are
  one transaction, fenced on the lease: a worker killed before the commit leaves its rows ``processing``
  and they are answered again when the lease runs out; after it, nothing is left to do.
- **Throughput.** One claim and one commit per batch (up to ``batch_size`` rows, one per chat).
- **Acknowledgements first.** Answering is CPU work (the search) on a thread of the web process; while
  webhooks are receiving, the worker pauses between answers so their requests are not kept waiting for the
  interpreter (the 200 is what the platform times; the backlog is answered as soon as the burst is over).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, exists, func, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from bot import clock
from bot.contract.messages import Incoming, Reply
from bot.inbox.models import OPEN_STATES, InboxState, InboxUpdate
from bot.inbox.payload import from_payload
from bot.masking import mask_id
from bot.outbox.store import Outgoing, enqueue_many, reply_key
from bot.storage.conversations import ChatState, ConversationStore
from bot.storage.db import Database

log = logging.getLogger(__name__)

#: How long a claimed batch is leased (a batch takes milliseconds; a dead worker's rows wait this long).
LEASE = timedelta(seconds=10)
#: While webhooks are busy, the worker pauses this share of the time it spent on each answer.
YIELD_SHARE = 1.0
#: Longest such pause.
MAX_PAUSE = 0.05

#: What a channel adds to the assistant's replies: (message, event name, received at) → extra replies.
Extra = Callable[[Incoming, str, datetime], list[Reply]]


class Answerer(Protocol):
    """What the worker needs from the assistant (``bot.app.Assistant``)."""

    @property
    def conversations(self) -> ConversationStore:
        """Where chat states are saved."""
        ...

    def respond(self, incoming: Incoming) -> tuple[list[Reply], ChatState]:
        """The replies and the chat's new state (not saved)."""
        ...


@dataclass(frozen=True, slots=True)
class Taken:
    """A row this worker holds the lease on."""

    id: int
    channel: str
    chat_id: str
    update_id: str
    payload: dict[str, Any]
    attempts: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class _Answer:
    taken: Taken
    incoming: Incoming
    replies: list[Reply]
    state: ChatState


class InboxWorker:
    """Answers the inbox of ``db`` with ``assistant``; ``extras`` per channel, ``after_commit`` callbacks
    (thread-safe: they wake the outbox dispatcher) after every batch that wrote replies."""

    def __init__(
        self, db: Database, assistant: Answerer, *, worker_id: str = "", batch_size: int = 64,
        lease: timedelta = LEASE, max_attempts: int = 5, yield_share: float = YIELD_SHARE,
    ) -> None:  # fmt: skip
        self.db = db
        self.assistant = assistant
        self.worker_id = (worker_id or f"inbox-{os.getpid()}-{random.getrandbits(24):06x}")[:64]
        self.batch_size = batch_size
        self.lease = lease
        self.max_attempts = max_attempts
        self.extras: dict[str, Extra] = {}
        #: Whether webhooks are receiving right now (then the worker pauses between answers, ``yield_share``
        #: of the time it worked, so their acknowledgements keep their latency).
        self.busy: Callable[[], bool] = lambda: False
        self.yield_share = yield_share
        self._since = time.perf_counter()
        self.after_commit: list[Callable[[], None]] = []
        self._postgres = db.engine.dialect.name == "postgresql"
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-worker")

    # ----------------------------------------------------------------- claiming

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        """Rows that may be taken: pending, or processing with a lease run out, and first open of their chat."""
        earlier = aliased(InboxUpdate)
        blocked = exists().where(earlier.channel == InboxUpdate.channel, earlier.chat_id == InboxUpdate.chat_id,
                                 earlier.id < InboxUpdate.id, earlier.state.in_(OPEN_STATES))  # fmt: skip
        return and_(
            or_(InboxUpdate.state == InboxState.PENDING.value,
                and_(InboxUpdate.state == InboxState.PROCESSING.value, InboxUpdate.claimed_until < now)),
            ~blocked,
        )  # fmt: skip

    def claim(self, now: datetime | None = None) -> list[Taken]:
        """Lease up to ``batch_size`` due rows, oldest first, at most one per chat (one transaction)."""
        now = now or clock.now()
        candidates = select(InboxUpdate.id).where(self._due(now)).order_by(InboxUpdate.id).limit(self.batch_size)
        if self._postgres:
            candidates = candidates.with_for_update(skip_locked=True, of=InboxUpdate)
        with self.db.session() as session:
            ids = list(session.scalars(candidates))
            if not ids:
                session.rollback()
                return []
            taken = session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.id.in_(ids), self._due(now))
                .values(state=InboxState.PROCESSING.value, claimed_by=self.worker_id,
                        claimed_until=now + self.lease, attempts=InboxUpdate.attempts + 1)
                .returning(InboxUpdate.id, InboxUpdate.channel, InboxUpdate.chat_id, InboxUpdate.update_id,
                           InboxUpdate.payload, InboxUpdate.attempts, InboxUpdate.received_at)
                .execution_options(synchronize_session=False)
            ).all()  # fmt: skip
            session.commit()
        return sorted((Taken(*row) for row in taken), key=lambda t: t.id)

    # ----------------------------------------------------------------- answering

    def answer(self, taken: list[Taken]) -> int:
        """Answer the rows and commit replies, states and ``done`` together; how many were answered."""
        answers: list[_Answer] = []
        given_up: list[Taken] = []
        for row in taken:
            if row.attempts > self.max_attempts:
                given_up.append(row)
                continue
            self._make_way()
            incoming, event = from_payload(row.channel, row.chat_id, row.payload)
            try:
                replies, state = self.assistant.respond(incoming)
                extra = self.extras.get(row.channel)
                if extra is not None:
                    replies = [*replies, *extra(incoming, event, clock.as_utc(row.received_at))]
            except Exception:  # left leased: retried when the lease runs out, given up after max_attempts
                log.exception("inbox %d (%s, chat %s) failed", row.id, row.channel, mask_id(row.chat_id))
                continue
            answers.append(_Answer(row, incoming, replies, state))
        done = self._commit(answers, given_up)
        if done:
            for wake in self.after_commit:
                wake()
        return done

    def _make_way(self) -> None:
        """While webhooks are busy (``busy``), leave them the interpreter as long as the last answer took:
        the search is CPU work that would otherwise hold the GIL while requests wait to be acknowledged."""
        now = time.perf_counter()
        worked, self._since = now - self._since, now
        if worked > 0 and self.busy():
            time.sleep(min(worked * self.yield_share, MAX_PAUSE))
            self._since = time.perf_counter()

    def _commit(self, answers: list[_Answer], given_up: list[Taken]) -> int:
        """One short transaction: ``done`` (fenced on the claim), the states and the replies of the rows still
        held, ``failed`` for those given up. Everything is prepared before it starts: on SQLite the database
        is locked for writing while it lasts, and the webhooks' inserts wait for it."""
        now = clock.now()
        ours = InboxUpdate.claimed_by == self.worker_id
        open_row = InboxUpdate.state == InboxState.PROCESSING.value
        with self.db.engine.begin() as conn:
            done: set[int] = set()
            if answers:
                claims = [(a.taken.id, a.taken.attempts) for a in answers]
                held = tuple_(InboxUpdate.id, InboxUpdate.attempts).in_(claims)
                done = set(conn.scalars(
                    update(InboxUpdate).where(held, ours, open_row)
                    .values(state=InboxState.DONE.value, done_at=now, claimed_until=None, last_error="")
                    .returning(InboxUpdate.id)
                ))  # fmt: skip
            kept = [a for a in answers if a.taken.id in done]
            self.assistant.conversations.save_many(conn, [(a.taken.channel, a.taken.chat_id, a.state) for a in kept])
            enqueue_many(conn, [Outgoing(reply_key(a.taken.channel, a.taken.update_id, number), a.taken.channel,
                                         a.taken.chat_id, reply, "reply")
                                for a in kept for number, reply in enumerate(a.replies)])  # fmt: skip
            for row in given_up:
                log.error("inbox %d (%s): given up after %d attempts", row.id, row.channel, row.attempts - 1)
                conn.execute(update(InboxUpdate).where(InboxUpdate.id == row.id, ours, open_row,
                                                       InboxUpdate.attempts == row.attempts)
                             .values(state=InboxState.FAILED.value, done_at=now, claimed_until=None,
                                     last_error=f"gave up after {row.attempts - 1} attempts"))  # fmt: skip
        for lost in set(a.taken.id for a in answers) - done:
            log.warning("inbox %d: lease lost before it was answered; left to its new owner", lost)
        return len(kept)

    def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch and answer it (synchronous); how many updates were answered."""
        taken = self.claim(now)
        return self.answer(taken) if taken else 0

    # ----------------------------------------------------------------- running

    async def run_forever(self, stop: asyncio.Event, wake: asyncio.Event, *, idle_seconds: float = 1.0) -> None:
        """Answer batches on the worker's own thread until ``stop`` is set; when idle, wait for ``wake`` (set
        by the intake after a commit) or ``idle_seconds`` (rows recorded by another replica)."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            wake.clear()
            try:
                answered = await loop.run_in_executor(self._thread, self.run_once)
            except Exception:  # a database hiccup must not end answering for good
                log.exception("inbox: batch failed; retrying")
                answered = 0
            if answered:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, wake), timeout=idle_seconds)

    def close(self) -> None:
        """Stop the worker's thread (after the batch in progress)."""
        self._thread.shutdown(wait=True)


async def _first(*events: asyncio.Event) -> None:
    """Return as soon as one of ``events`` is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@dataclass(frozen=True, slots=True)
class Backlog:
    """What the inbox still has to answer."""

    waiting: int
    oldest_seconds: float
    failed: int


def backlog(db: Database) -> Backlog:
    """Updates acknowledged but not answered yet, the oldest one's age, and those given up."""
    with db.session() as session:
        waiting, oldest = session.execute(
            select(func.count(), func.min(InboxUpdate.received_at)).where(InboxUpdate.state.in_(OPEN_STATES))
        ).one()
        failed = session.scalar(select(func.count()).where(InboxUpdate.state == InboxState.FAILED.value))
    age = (clock.now() - clock.as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return Backlog(int(waiting), round(max(age, 0.0), 1), int(failed or 0))
