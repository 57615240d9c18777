"""The outbox: every message the assistant sends on its own initiative (alerts, notifications, reports).

A row's ``dedupe_key`` is unique, so "the 07:30 alert of officer 12 on 2026-11-23" can be enqueued by any
number of processes and still exists — and is sent — once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base, channel_column


class OutboxStatus(StrEnum):
    """Where a message stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanent failure (user blocked the bot, chat gone): shown to administrators
    #: the platform does not allow this message now (Zalo OA after the 48-hour window with no template):
    #: shown to administrators beside the failures
    UNDELIVERABLE = "undeliverable"


class OutboxMessage(Base):
    """One message to deliver to one chat on one channel."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str] = mapped_column(String(255), default="")
    attachment_mime: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SendBudget(Base):
    """A shared send-rate budget: the theoretical arrival time of the next send for one key.

    Keys are ``rate:<channel>`` (the platform's overall rate) and ``chat:<channel>:<chat id>`` (one chat's
    spacing). Every process reserves its send slot here in one atomic upsert, so several replicas together
    keep the platform's limits (see ``bot/outbox/budget.py``).
    """

    __tablename__ = "send_budget"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    #: Seconds since the epoch (UTC) at which the next slot of this key starts.
    tat: Mapped[float] = mapped_column(Float, default=0.0)
