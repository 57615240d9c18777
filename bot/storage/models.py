"""SQLAlchemy tables of the assistant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot import clock


class Base(DeclarativeBase):
    """Declarative base for every table."""


#: Length of every ``channel`` column (a channel's registry name: "telegram", "zalo_oa", "web_chat", …).
CHANNEL_CHARS = 32


def channel_column() -> Mapped[str]:
    """The ``channel`` column, the same in every table that stores a chat."""
    return mapped_column(String(CHANNEL_CHARS))


class Conversation(Base):
    """Where one chat stands: language and conversation state, so any process can continue it."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id", name="uq_conversation_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = channel_column()
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)


class ProcessedUpdate(Base):
    """A platform update already handled: makes redelivered updates harmless."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_processed_update"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = channel_column()
    update_id: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
