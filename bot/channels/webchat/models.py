"""The web chat's mailbox table: every message shown to a visitor, until the widget fetches it and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot import clock
from bot.storage.models import Base


class WebChatMessage(Base):
    """One message to one visitor: a text (with buttons) or a file.

    ``seq`` numbers a visitor's messages 1, 2, 3… in the order they were stored; it is unique per chat, so
    a message becomes visible only after every message with a smaller number (the widget's cursor never
    skips one that commits late).
    """

    __tablename__ = "webchat_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "seq", name="uq_webchat_message_seq"),
        Index("ix_webchat_messages_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    choices: Mapped[list[Any]] = mapped_column(JSON, default=list)
    file: Mapped[bytes | None] = mapped_column(LargeBinary)
    filename: Mapped[str] = mapped_column(String(255), default="")
    mime_type: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
