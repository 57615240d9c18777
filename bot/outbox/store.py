"""Putting messages into the outbox (the dispatcher that delivers them lives in ``bot/outbox/dispatch.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot import clock
from bot.contract.messages import Reply
from bot.outbox.models import OutboxMessage, OutboxStatus


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    channel: str,
    chat_id: str,
    reply: Reply,
    kind: str = "",
    not_before: datetime | None = None,
) -> bool:
    """Add a message unless one with ``dedupe_key`` already exists; True when this call added it.

    Uses INSERT … ON CONFLICT DO NOTHING, so concurrent processes enqueueing the same key never fail
    and never duplicate. The caller commits.
    """
    values = _values(dedupe_key, channel, chat_id, reply, kind)
    values["next_attempt_at"] = not_before or values["next_attempt_at"]
    return _insert(session, values) is not None


def enqueue_claimed(
    session: Session, *, dedupe_key: str, channel: str, chat_id: str, reply: Reply, kind: str, worker: str,
    until: datetime,
) -> int | None:  # fmt: skip
    """Add a message already being sent by ``worker`` (leased until ``until``, one attempt counted): the
    sender sends it at once, and if the process dies, the dispatcher takes it over when the lease runs out.
    The row's id, or None when ``dedupe_key`` exists already. The caller commits."""
    values = _values(dedupe_key, channel, chat_id, reply, kind)
    values.update(status=OutboxStatus.SENDING.value, claimed_by=worker, claimed_until=until, attempts=1)
    return _insert(session, values)


def reply_key(channel: str, update_key: str, number: int) -> str:
    """The outbox key of reply ``number`` to the update ``update_key``: an update is answered once."""
    return f"reply:{channel}:{update_key}:{number}"


def _values(dedupe_key: str, channel: str, chat_id: str, reply: Reply, kind: str) -> dict[str, Any]:
    attachment = reply.attachments[0] if reply.attachments else None
    return {
        "dedupe_key": dedupe_key[:255],
        "kind": kind,
        "channel": channel,
        "chat_id": chat_id,
        "text": reply.text,
        "choices": [[{"label": c.label, "data": c.data} for c in row] for row in reply.choices],
        "attachment": attachment.content if attachment else None,
        "attachment_name": attachment.filename if attachment else "",
        "attachment_mime": attachment.mime_type if attachment else "",
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": clock.now(),
        "created_at": clock.now(),
        "claimed_by": "",
        "last_error": "",
    }


def _dialect_insert(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's ``insert`` (both have ``on_conflict_do_nothing``)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING; the new row's id, None when the key exists."""
    stmt = (
        _dialect_insert(session)(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    # RETURNING yields a row only when this statement inserted (rowcount is unreliable here)
    row = session.execute(stmt).first()
    return int(row[0]) if row is not None else None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for :func:`enqueue_many`."""

    dedupe_key: str
    channel: str
    chat_id: str
    reply: Reply
    kind: str = ""


#: keys per look-up in :func:`existing_keys`
BATCH_ROWS = 1000


def enqueue_many(executor: Session | Connection, messages: Sequence[Outgoing]) -> set[str]:
    """Add the messages whose ``dedupe_key`` does not exist yet — one INSERT … ON CONFLICT DO NOTHING statement
    executed for all of them (sent as multi-row VALUES batches by SQLAlchemy's insertmanyvalues); the keys this
    call added. Inside the caller's transaction (a session or a connection); the caller commits."""
    if not messages:
        return set()
    dialect = executor.get_bind().dialect if isinstance(executor, Session) else executor.dialect
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(cast(Table, OutboxMessage.__table__))  # Core insert: no ORM bulk mode
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.dedupe_key)
    )
    rows = [_values(m.dedupe_key, m.channel, m.chat_id, m.reply, m.kind) for m in messages]
    return set(executor.execute(stmt, rows).scalars())


def exists(session: Session, dedupe_key: str) -> bool:
    """Whether a message with this key was ever enqueued."""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were ever enqueued (one query per :data:`BATCH_ROWS` keys)."""
    found: set[str] = set()
    for start in range(0, len(keys), BATCH_ROWS):
        chunk = list(keys[start : start + BATCH_ROWS])
        found.update(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))))
    return found


@dataclass(frozen=True, slots=True)
class Undelivered:
    """What the outbox has not delivered: waiting for a retry, being sent, and given up for good."""

    pending: int
    sending: int
    failed: int
    undeliverable: int
    next_attempt_at: datetime | None

    @property
    def waiting(self) -> int:
        """Messages that will still be sent (pending or being sent)."""
        return self.pending + self.sending

    def describe(self) -> str:
        """One line for a command's output ("nothing undelivered" or the counts)."""
        if not (self.waiting or self.failed or self.undeliverable):
            return "nothing left undelivered"
        parts = []
        if self.pending:
            when = f" (next attempt {self.next_attempt_at:%Y-%m-%d %H:%M:%S}Z)" if self.next_attempt_at else ""
            parts.append(f"{self.pending} waiting for a retry{when}")
        if self.sending:
            parts.append(f"{self.sending} being sent by a running process")
        if self.failed:
            parts.append(f"{self.failed} failed for good")
        if self.undeliverable:
            parts.append(f"{self.undeliverable} undeliverable (Zalo OA window, no template)")
        return "left undelivered: " + ", ".join(parts) + " — see `python -m bot officers failures`"


def undelivered(session: Session, since: datetime | None = None) -> Undelivered:
    """Counts of the outbox rows not delivered (created at or after ``since`` when given)."""
    query = select(OutboxMessage.status, func.count(), func.min(OutboxMessage.next_attempt_at)).group_by(
        OutboxMessage.status)  # fmt: skip
    if since is not None:
        query = query.where(OutboxMessage.created_at >= since)
    counts: dict[str, int] = {}
    first: datetime | None = None
    for status, count, next_at in session.execute(query):
        counts[status] = count
        if status == OutboxStatus.PENDING.value:
            first = clock.as_utc(next_at)
    return Undelivered(
        pending=counts.get(OutboxStatus.PENDING.value, 0),
        sending=counts.get(OutboxStatus.SENDING.value, 0),
        failed=counts.get(OutboxStatus.FAILED.value, 0),
        undeliverable=counts.get(OutboxStatus.UNDELIVERABLE.value, 0),
        next_attempt_at=first,
    )
