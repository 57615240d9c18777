"""The inbox: every update a webhook acknowledged, kept until the worker has answered it.

A row is written before the platform gets its 200 and marked ``done`` in the same transaction that writes
its replies to the outbox, so an acknowledged update is answered exactly once whatever process dies when.
``(channel, update_id)`` is unique: a redelivered update is acknowledged again and never answered twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base, channel_column


class InboxState(StrEnum):
    """Where an acknowledged update stands."""

    PENDING = "pending"
    PROCESSING = "processing"  # leased by a worker (``claimed_by`` until ``claimed_until``)
    DONE = "done"  # answered: its replies are in the outbox
    FAILED = "failed"  # given up after ``max_attempts`` (a bug, never a platform error)


#: The states that hold back a chat's later updates (per-chat order).
OPEN_STATES = (InboxState.PENDING.value, InboxState.PROCESSING.value)


class InboxUpdate(Base):
    """One acknowledged platform update waiting to be answered (or answered)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_id", name="uq_inbox_update"),
        Index("ix_inbox_state", "state", "id"),
        Index("ix_inbox_chat", "channel", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    update_id: Mapped[str] = mapped_column(String(255))
    #: The message as the assistant reads it (``bot.inbox.payload``), never the platform's raw body.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    state: Mapped[str] = mapped_column(String(16), default=InboxState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
