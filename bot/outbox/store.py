"""Putting messages into the outbox (the dispatcher that delivers them lives in ``bot/outbox/dispatch.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
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
    attachment = reply.attachments[0] if reply.attachments else None
    values = {
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
        "next_attempt_at": not_before or clock.now(),
        "created_at": clock.now(),
        "claimed_by": "",
        "last_error": "",
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    # RETURNING yields a row only when this statement inserted (rowcount is unreliable here)
    return session.execute(stmt).first() is not None


def exists(session: Session, dedupe_key: str) -> bool:
    """Whether a message with this key was ever enqueued."""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None
