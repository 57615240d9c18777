"""Conversation state and update de-duplication, stored in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from bot.storage.models import Conversation, ProcessedUpdate, utcnow


@dataclass
class ChatState:
    """A chat's language and free-form state (JSON-serialisable values only)."""

    language: str
    data: dict[str, Any] = field(default_factory=dict)


class ConversationStore:
    """Loads and saves ``ChatState`` keyed by (channel, chat id)."""

    def __init__(self, db: Database, default_language: str = "vi") -> None:
        self.db = db
        self.default_language = default_language

    def load(self, channel: str, chat_id: str) -> ChatState:
        """State of a chat; a fresh state when the chat is new."""
        with self.db.session() as s:
            row = s.scalar(
                select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
            )
            if row is None:
                return ChatState(language=self.default_language)
            return ChatState(language=row.language, data=dict(row.state or {}))

    def save(self, channel: str, chat_id: str, state: ChatState) -> None:
        """Insert or update a chat's state (safe when two processes race on a new chat)."""
        for _attempt in range(2):
            with self.db.session() as s:
                row = s.scalar(
                    select(Conversation).where(
                        Conversation.channel == channel, Conversation.chat_id == chat_id
                    )
                )
                if row is None:
                    row = Conversation(channel=channel, chat_id=chat_id)
                    s.add(row)
                row.language = state.language
                row.state = dict(state.data)
                try:
                    s.commit()
                    return
                except IntegrityError:
                    s.rollback()  # another process inserted the row first: update it instead
        raise RuntimeError("could not save conversation state")


class UpdateLog:
    """Remembers which platform updates were handled, so a redelivery is ignored."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, channel: str, update_id: str) -> bool:
        """True the first time (channel, update_id) is seen, False on every repeat."""
        with self.db.session() as s:
            s.add(ProcessedUpdate(channel=channel, update_id=str(update_id)))
            try:
                s.commit()
                return True
            except IntegrityError:
                s.rollback()
                return False

    def prune(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget updates older than ``older_than``; returns how many rows were removed."""
        with self.db.session() as s:
            res = s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < utcnow() - older_than))
            s.commit()
            return res.rowcount or 0
