"""Delivering outbox rows: claim atomically, send through the channel's Sender, record the outcome.

Guarantees (see the README section "Outbox"):

- **One row per key.** ``enqueue`` inserts with ``ON CONFLICT DO NOTHING`` on ``dedupe_key``.
- **Never two live senders for one row.** A worker claims a due row by moving it to ``sending`` with a
  lease (``claimed_by``/``claimed_until``, ``attempts`` + 1) in one atomic statement: PostgreSQL with
  ``SELECT … FOR UPDATE SKIP LOCKED``, SQLite with a per-row compare-and-set ``UPDATE … WHERE status=…``.
  Every later update is fenced on (claimed_by, attempts), and a worker never starts a send once its lease
  has run out.
- **At-least-once across crashes.** Sent rows are marked ``sent`` together every ``SENT_FLUSH_SECONDS``
  (0.1 s; one transaction, not one per message). A process killed after the platform accepted a message
  but before its row was marked leaves it ``sending``; when the lease expires another worker sends it
  again. So a crash can repeat the messages of its last tenth of a second, never lose one; a ``sent`` row
  is never sent again.
- **Retries.** ``RetryLater`` (429, 5xx, network) → back to ``pending`` after
  ``max(retry_after, exponential backoff with jitter)``; ``PermanentFailure`` or ``max_attempts`` reached
  → ``failed`` with ``last_error`` (shown to administrators by ``/loigui`` and ``officers failures``).
- **Short leases, renewed.** The service's leases are short (``SERVICE_LEASE``, 15 s) and while a batch is
  being delivered a heartbeat renews the leases of every row the worker still holds three times per lease,
  so a killed process's rows are taken over within seconds, while a slow send of a live one is never taken
  from it.
- **Per-chat order.** One chat's rows of a batch are sent one after the other, oldest first; when one is
  not sent (retry, failure) the rest of that chat's rows go back to ``pending`` (their attempt not counted).
- **Stopping.** ``run_forever`` stops on its event: sends in flight finish and are recorded, rows claimed
  but not yet started go back to ``pending`` at once (their attempt not counted).
- **Rate limits.** A limiter with ``acquire``/``hold``: per process (``RateLimiter``: a token bucket for the
  overall rate, default 25/s, and at least ``per_chat_interval``, 1 s, between two messages to one chat) or
  shared by every process through the database (``bot.outbox.budget.SharedBudget``, what the service uses).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import Select, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from bot import clock as timebase
from bot.contract.messages import Attachment, Choice, Reply
from bot.masking import mask_id
from bot.outbox.models import OutboxMessage, OutboxStatus
from bot.outbox.sender import PermanentFailure, RetryLater, Sender, Undeliverable, send_queued
from bot.storage.db import Database, rowcount

log = logging.getLogger(__name__)

#: The lease the service and the commands use (renewed by the heartbeat while a batch is delivered).
SERVICE_LEASE = timedelta(seconds=15)
#: Sent rows are marked ``sent`` together, this often (one transaction for all of them).
SENT_FLUSH_SECONDS = 0.1

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """A token bucket for the overall rate plus a minimum interval per chat, on an injectable clock.

    ``acquire`` waits until both allow a send and takes the token in the same step (no await in between),
    so concurrent tasks on one event loop never share a token. A chat that must wait does not hold a token
    meanwhile, so one busy chat never slows down the others.
    """

    def __init__(self, rate: float, per_chat_interval: float, *, burst: int = 1, clock: Clock = timebase.monotonic):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._rate = rate
        self._burst = float(burst)
        self._per_chat = per_chat_interval
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._chat_next: dict[str, float] = {}

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        return now

    def delay(self, chat: str) -> float:
        """Seconds until a send to ``chat`` is allowed (0: now)."""
        now = self._refill()
        overall = 0.0 if self._tokens >= 1 - 1e-9 else (1 - self._tokens) / self._rate
        return max(overall, self._chat_next.get(chat, now) - now, 0.0)

    def take(self, chat: str) -> None:
        """Record a send to ``chat`` now."""
        now = self._refill()
        self._tokens -= 1
        self._chat_next[chat] = now + self._per_chat

    async def acquire(self, chat: str, sleep: Sleep) -> None:
        """Wait (with ``sleep``) until a send to ``chat`` is allowed, and take it."""
        while (wait := self.delay(chat)) > 0:
            await sleep(wait)
        self.take(chat)

    def hold(self, chat: str, seconds: float) -> None:
        """Keep ``chat`` quiet for ``seconds`` (the platform said "retry after")."""
        until = self._clock() + seconds
        self._chat_next[chat] = max(self._chat_next.get(chat, until), until)


class Limiter(Protocol):
    """What the dispatcher needs from a rate limiter (``RateLimiter`` or ``SharedBudget``)."""

    async def acquire(self, chat: str, sleep: Sleep) -> None:
        """Wait (with ``sleep``) until a send to ``chat`` ("<channel>:<chat id>") is allowed, and take it."""
        ...

    def hold(self, chat: str, seconds: float) -> None:
        """Keep ``chat`` quiet for ``seconds``."""
        ...


class _Stopping(Exception):
    """The dispatcher was asked to stop while a claim waited for its turn."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this worker holds the lease on: enough to send it and to fence the final update."""

    id: int
    channel: str
    chat_id: str
    attempts: int
    claimed_until: datetime
    reply: Reply
    kind: str = ""


def reply_of(row: OutboxMessage) -> Reply:
    """The ``Reply`` stored in an outbox row."""
    choices = [[Choice(label=c["label"], data=c["data"]) for c in r] for r in (row.choices or [])]
    attachments = []
    if row.attachment is not None:
        attachments.append(Attachment(row.attachment_name, bytes(row.attachment), row.attachment_mime))
    return Reply(text=row.text, choices=choices, attachments=attachments)


class Dispatcher:
    """Sends due outbox rows through the registered senders (one per channel)."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        global_rate: float = 25.0,
        burst: int = 1,
        per_chat_interval: float = 1.0,
        max_attempts: int = 8,
        worker_id: str = "",
        lease: timedelta = timedelta(minutes=2),
        limiter: Limiter | None = None,
        batch_size: int = 50,
        base_backoff: float = 2.0,
        max_backoff: float = 3600.0,
        clock: Clock = timebase.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.senders = dict(senders)
        self.max_attempts = max_attempts
        self.worker_id = (worker_id or f"w-{random.getrandbits(32):08x}")[:64]
        self.lease = lease
        self.batch_size = batch_size
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.limiter: Limiter = limiter or RateLimiter(global_rate, per_chat_interval, burst=burst, clock=clock)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._stop: asyncio.Event | None = None
        self._renewed_until: datetime | None = None
        self._sent: list[tuple[Claim, datetime]] = []

    # ----------------------------------------------------------------- public

    async def run_once(self, now: datetime | None = None) -> int:
        """Claim the rows due at ``now``, send them, record the outcomes; how many were delivered."""
        now = (now or timebase.now()).astimezone(UTC)
        claims = await asyncio.to_thread(self.claim, now)
        if not claims:
            return 0
        started = self._clock()
        chats: dict[tuple[str, str], list[Claim]] = {}
        for claim in claims:  # oldest first: each chat's messages are sent one after the other, in order
            chats.setdefault((claim.channel, claim.chat_id), []).append(claim)
        heartbeat = asyncio.create_task(self._heartbeat())
        recorder = asyncio.create_task(self._record_sent_every(SENT_FLUSH_SECONDS))
        try:
            results = await asyncio.gather(*(self._deliver_in_order(chain, now, started) for chain in chats.values()))
        finally:
            heartbeat.cancel()
            recorder.cancel()
            await asyncio.to_thread(self._record_sent)
        return sum(results)

    async def _record_sent_every(self, seconds: float) -> None:
        """Record the rows sent meanwhile, every ``seconds`` (until cancelled)."""
        while True:
            await asyncio.sleep(seconds)
            await asyncio.to_thread(self._record_sent)

    def _record_sent(self) -> None:
        """Mark the rows sent since the last call ``sent``, in one transaction fenced on each claim."""
        done, self._sent = self._sent, []
        if not done:
            return
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id == bindparam("row_id"), OutboxMessage.status == OutboxStatus.SENDING.value,
                   OutboxMessage.claimed_by == self.worker_id, OutboxMessage.attempts == bindparam("tries"))
            .values(status=OutboxStatus.SENT.value, claimed_until=None, last_error="", sent_at=bindparam("at"))
        )  # fmt: skip
        with self.db.engine.begin() as conn:
            result = conn.execute(stmt, [{"row_id": c.id, "tries": c.attempts, "at": at} for c, at in done])
        if result.rowcount not in (-1, len(done)):
            log.warning("outbox: %d of %d sent rows were claimed by another worker before being recorded",
                        len(done) - result.rowcount, len(done))  # fmt: skip

    async def _deliver_in_order(self, chain: list[Claim], now: datetime, started: float) -> int:
        """Send one chat's claimed rows in order; after one that was not sent, give the rest back (they
        would overtake it)."""
        sent = 0
        for number, claim in enumerate(chain):
            if not await self._deliver(claim, now, started):
                for later in chain[number + 1 :]:
                    await asyncio.to_thread(self._finish, later, OutboxStatus.PENDING, now, "", release=True)
                break
            sent += 1
        return sent

    async def run_forever(
        self, stop: asyncio.Event, *, idle_seconds: float = 1.0, wake: asyncio.Event | None = None
    ) -> None:
        """Deliver until ``stop`` is set, looking for new rows every ``idle_seconds`` when idle or as soon as
        ``wake`` is set (new replies were written); then let the sends in flight finish and give back every
        row not started."""
        self._stop = stop
        wake = wake or asyncio.Event()
        try:
            while not stop.is_set():
                wake.clear()
                try:
                    sent = await self.run_once()
                except Exception:  # a database hiccup must not end delivery for good
                    log.exception("outbox dispatch failed; retrying")
                    sent = 0
                if sent:
                    continue
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
                try:
                    await asyncio.wait(waiters, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
        finally:
            released = await asyncio.to_thread(self.release_all)
            if released:
                log.info("outbox: %d claimed message(s) given back on shutdown", released)

    async def _heartbeat(self) -> None:
        """Renew the leases of the rows this worker holds, three times per lease (until cancelled)."""
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.renew)
            except Exception:
                log.exception("outbox: lease renewal failed")

    def renew(self, now: datetime | None = None) -> int:
        """Extend the lease of every row this worker holds to ``now`` + lease; how many rows."""
        until = (now or timebase.now()).astimezone(UTC) + self.lease
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_by == self.worker_id)
                .values(claimed_until=until)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        self._renewed_until = until
        return rowcount(result)

    def release_all(self) -> int:
        """Give back every row this worker still holds (not sent): pending again, the attempt not counted."""
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_by == self.worker_id)
                .values(status=OutboxStatus.PENDING.value, claimed_until=None, claimed_by="",
                        attempts=OutboxMessage.attempts - 1)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        return rowcount(result)

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number ``attempts`` + 1: exponential, capped, with "equal jitter"."""
        ceiling = min(self.max_backoff, self.base_backoff * 2 ** max(attempts - 1, 0))
        return float(ceiling / 2 + self._rng.uniform(0, ceiling / 2))

    # ----------------------------------------------------------------- claiming

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        """Rows this worker may claim: pending and due, or sending with an expired lease (a dead worker)."""
        return and_(
            OutboxMessage.channel.in_(list(self.senders)),
            or_(
                and_(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.status == OutboxStatus.SENDING.value, OutboxMessage.claimed_until < now),
            ),
        )

    def claim(self, now: datetime) -> list[Claim]:
        """Atomically take up to ``batch_size`` due rows for this worker (synchronous; one transaction)."""
        if not self.senders:
            return []
        until = now + self.lease
        with self.db.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                ids = self._claim_locked(session, now, until)
            else:
                ids = self._claim_each(session, now, until)
            session.commit()  # short: on SQLite the database is locked for writing until here
        with self.db.session() as session:  # the rows are ours now; read them outside the claim
            rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))) if ids else []
        rows.sort(key=lambda r: r.id)
        return [Claim(r.id, r.channel, r.chat_id, r.attempts, until, reply_of(r), r.kind) for r in rows]

    def _claim_values(self, until: datetime) -> dict[str, object]:
        return {
            "status": OutboxStatus.SENDING.value,
            "claimed_by": self.worker_id,
            "claimed_until": until,
            "attempts": OutboxMessage.attempts + 1,
        }

    def _due_ids(self, now: datetime) -> Select[int]:
        """Ids of the next batch of due rows, oldest first."""
        return (
            select(OutboxMessage.id)
            .where(self._due(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self.batch_size)
        )

    def _claim_locked(self, session: Session, now: datetime, until: datetime) -> list[int]:
        """PostgreSQL: lock due rows, skipping rows another worker is claiming, and lease them."""
        ids = list(session.scalars(self._due_ids(now).with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(**self._claim_values(until))
                .execution_options(synchronize_session=False)
            )
        return ids

    def _claim_each(self, session: Session, now: datetime, until: datetime) -> list[int]:
        """SQLite: compare-and-set the candidates in one UPDATE; a row another process took meanwhile no longer
        matches."""
        candidates = list(session.scalars(self._due_ids(now)))
        if not candidates:
            return []
        return list(session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates), self._due(now))
            .values(**self._claim_values(until))
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ))  # fmt: skip

    # ----------------------------------------------------------------- sending

    async def _deliver(self, claim: Claim, now: datetime, started: float) -> int:
        chat_key = f"{claim.channel}:{claim.chat_id}"
        try:
            await self.limiter.acquire(chat_key, self._wait)
        except _Stopping:
            await asyncio.to_thread(self._finish, claim, OutboxStatus.PENDING, now, "", release=True)
            return 0
        at = now + timedelta(seconds=self._clock() - started)
        held_until = max(claim.claimed_until, self._renewed_until or claim.claimed_until)
        if at >= held_until:  # our lease ran out while waiting: another worker may own the row now
            log.warning("outbox %d: lease expired before sending; leaving it to be reclaimed", claim.id)
            return 0
        try:
            await send_queued(self.senders[claim.channel], claim.chat_id, claim.reply, claim.kind)
        except Undeliverable as exc:
            log.warning("outbox %d to %s undeliverable: %s", claim.id, mask_id(claim.chat_id), exc)
            await asyncio.to_thread(self._finish, claim, OutboxStatus.UNDELIVERABLE, at, str(exc))
            return 0
        except RetryLater as exc:
            if exc.retry_after:
                self.limiter.hold(chat_key, exc.retry_after)
            await asyncio.to_thread(self._retry_or_fail, claim, at, exc)
            return 0
        except PermanentFailure as exc:
            log.warning("outbox %d to %s failed permanently: %s", claim.id, mask_id(claim.chat_id), exc)
            await asyncio.to_thread(self._finish, claim, OutboxStatus.FAILED, at, f"permanent: {exc}")
            return 0
        except Exception as exc:  # a sender bug or an unmapped error: retry with backoff, never crash the loop
            log.exception("outbox %d: unexpected error from the %s sender", claim.id, claim.channel)
            await asyncio.to_thread(self._retry_or_fail, claim, at, RetryLater(f"{type(exc).__name__}: {exc}"))
            return 0
        self._sent.append((claim, at))  # recorded with the others sent meanwhile (``_record_sent``)
        return 1

    async def _wait(self, seconds: float) -> None:
        """Sleep for the rate limiter; ``_Stopping`` as soon as the dispatcher is asked to stop."""
        if self._stop is None:
            await self._sleep(seconds)
            return
        if self._stop.is_set():
            raise _Stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        if self._stop.is_set():
            raise _Stopping

    def _retry_or_fail(self, claim: Claim, at: datetime, exc: RetryLater) -> None:
        if claim.attempts >= self.max_attempts:
            log.warning("outbox %d: giving up after %d attempts", claim.id, claim.attempts)
            self._finish(claim, OutboxStatus.FAILED, at, f"gave up after {claim.attempts} attempts: {exc}")
            return
        delay = max(exc.retry_after or 0.0, self.backoff(claim.attempts))
        log.info("outbox %d: retry in %.1f s (%s)", claim.id, delay, exc)
        self._finish(claim, OutboxStatus.PENDING, at, str(exc), next_attempt_at=at + timedelta(seconds=delay))

    def _finish(
        self,
        claim: Claim,
        status: OutboxStatus,
        at: datetime,
        error: str,
        *,
        next_attempt_at: datetime | None = None,
        release: bool = False,
    ) -> None:
        """Record the outcome, fenced on this worker's claim (a reclaimed row is left to its new owner);
        ``release``: given back unsent, the attempt not counted."""
        values: dict[str, object] = {"status": status.value, "claimed_until": None, "last_error": error[:1000]}
        if release:
            values = {"status": status.value, "claimed_until": None, "claimed_by": "",
                      "attempts": OutboxMessage.attempts - 1}  # fmt: skip
        if status is OutboxStatus.SENT:
            values["sent_at"] = at
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        with self.db.session() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == claim.id,
                    OutboxMessage.status == OutboxStatus.SENDING.value,
                    OutboxMessage.claimed_by == self.worker_id,
                    OutboxMessage.attempts == claim.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
        if rowcount(result) != 1:
            log.warning("outbox %d: claim lost before recording %s", claim.id, status.value)


#: The states administrators are shown: messages that will never be delivered.
UNSENT_FOR_GOOD = (OutboxStatus.FAILED.value, OutboxStatus.UNDELIVERABLE.value)


def failures(session: Session, limit: int = 20) -> list[OutboxMessage]:
    """The most recent permanently failed or undeliverable messages, newest first (for administrators)."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(UNSENT_FOR_GOOD))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
